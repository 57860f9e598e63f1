/**
 * Child process of bench/dashboard-bench.ts: holds N event-stream subscriptions open and reports
 * the events received when its stdin closes. It stands in for browsers on other machines, so it
 * does as little as it can (raw sockets, counting frames without decoding them) and runs at the
 * lowest CPU priority: on the bench's two shared cores its own work must not be billed to the daemon.
 *
 *   node --import tsx bench/sse-subscribers.ts <url> <count>
 */
import { connect } from 'node:net';
import { setPriority } from 'node:os';

const [url, countText] = process.argv.slice(2);
const count = Number(countText);
const { hostname, port, pathname, search } = new URL(url);
setPriority(19);
const MARK = Buffer.from('\nevent: ');
let events = 0;
let connected = 0;
const sockets = Array.from({ length: count }, () => {
  const socket = connect(Number(port), hostname);
  let headerSeen = false;
  socket.on('connect', () => socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`));
  socket.on('data', (chunk: Buffer) => {
    if (!headerSeen) {
      headerSeen = true;
      if (!chunk.subarray(0, 12).toString().startsWith('HTTP/1.1 200')) throw new Error(`subscriber got ${chunk.subarray(0, 40).toString()}`);
      if (++connected === count) process.stdout.write('connected\n');
    }
    // Every event frame (status, progress; the first "ready" is counted and subtracted below).
    for (let i = chunk.indexOf(MARK); i >= 0; i = chunk.indexOf(MARK, i + 1)) events++;
  });
  return socket;
});
process.stdin.resume();
process.stdin.on('end', () => {
  process.stdout.write(`${JSON.stringify({ connected, events: Math.max(0, events - connected) })}\n`);
  for (const s of sockets) s.destroy();
  process.exit(0);
});
