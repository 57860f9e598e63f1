/**
 * Runs `fn` over the items of a (possibly async, possibly huge) iterable with at most `limit` calls in
 * flight. Items are pulled only as slots free up, so a generator that reads disk blocks never has
 * more than `limit` blocks in memory. The first failure stops pulling and is thrown after the calls
 * in flight settle.
 */
export async function forEachBounded<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : toAsync((items as Iterable<T>)[Symbol.iterator]());
  let failure: { error: unknown } | null = null;
  let done = false;
  // Serialises pulls: async generators are not safe to call next() on concurrently.
  let pulling: Promise<unknown> = Promise.resolve();
  const next = (): Promise<IteratorResult<T>> => {
    const p = pulling.then(() => iterator.next());
    pulling = p.catch(() => undefined);
    return p;
  };
  const worker = async () => {
    while (!failure && !done) {
      if (signal?.aborted) { failure ??= { error: signal.reason }; break; }
      let r: IteratorResult<T>;
      try { r = await next(); } catch (e) { failure ??= { error: e }; break; }
      if (r.done) { done = true; break; }
      try { await fn(r.value); } catch (e) { failure ??= { error: e }; }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failure) {
    await iterator.return?.().catch(() => undefined);
    throw (failure as { error: unknown }).error;
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: async () => it.next(), return: async () => it.return?.() ?? { done: true, value: undefined } };
}
