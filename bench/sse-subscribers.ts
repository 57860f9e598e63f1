/**
 * Child process of bench/dashboard-bench.ts: holds N event-stream subscriptions open (so their
 * client-side work does not share the daemon's event loop) and reports events received on stdin EOF.
 *
 *   node --import tsx bench/sse-subscribers.ts <url> <count>
 */
const [url, countText] = process.argv.slice(2);
const count = Number(countText);
let events = 0;
let connected = 0;
const ctrl = new AbortController();
await Promise.all(Array.from({ length: count }, async () => {
  const res = await fetch(url, { signal: ctrl.signal, headers: { accept: 'text/event-stream' } });
  if (res.status !== 200) throw new Error(`subscriber got HTTP ${res.status}`);
  connected++;
  if (connected === count) process.stdout.write('connected\n');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const line of value.split('\n')) if (line.startsWith('event: status') || line.startsWith('event: progress')) events++;
      }
    } catch { /* aborted at the end */ }
  })();
}));
process.stdin.resume();
process.stdin.on('end', () => {
  process.stdout.write(`${JSON.stringify({ connected, events })}\n`);
  ctrl.abort();
  process.exit(0);
});
