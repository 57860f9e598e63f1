const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Request bodies as text, refusing invalid UTF-8 (overlong forms, lone surrogates, stray bytes)
 * instead of silently turning it into U+FFFD: a value the client did not mean must not be stored.
 * Returns null when `bytes` is not valid UTF-8.
 */
export function strictUtf8(bytes: Buffer): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
