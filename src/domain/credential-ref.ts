import { parseXmlTree } from './template/xml-tree.js';

/**
 * A provider image's credentials may name a credential set the daemon keeps instead of carrying
 * secrets: `{"ref": "prod-aws"}` (an object or its JSON text) or `<provider_credentials ref="prod-aws"/>`.
 * Anything else is an inline credentials document, read later by the provider plugin.
 */
export type CredentialRefRead = { ref: string; problem?: undefined } | { ref: null; problem?: undefined } | { ref?: undefined; problem: string };

/** Names of credential sets: also the suffix of their environment variables. */
export const CREDENTIAL_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function readCredentialRef(value: unknown): CredentialRefRead {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    if (!Object.hasOwn(value, 'ref')) return { ref: null };
    return checkName((value as Record<string, unknown>).ref);
  }
  if (typeof value !== 'string') return { ref: null };
  const text = value.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { return { ref: null }; }
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? readCredentialRef(parsed) : { ref: null };
  }
  if (text.startsWith('<')) {
    let root;
    try { root = parseXmlTree(text); } catch { return { ref: null }; }
    const attr = root.attributes.find((a) => a.name === 'ref');
    return attr ? checkName(attr.value) : { ref: null };
  }
  return { ref: null };
}

function checkName(name: unknown): CredentialRefRead {
  if (typeof name !== 'string' || !CREDENTIAL_REF_PATTERN.test(name)) {
    return { problem: 'credentials.ref must be a credential set name (letters, digits, ".", "_", "-"; at most 64 characters)' };
  }
  return { ref: name };
}
