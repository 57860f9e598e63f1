import { startOvirt } from './ovirt-server.js';

/**
 * The oVirt stand-in as its own process (for benchmarks, so the server does not share the client's
 * event loop): `node --import tsx ovirt-server-main.ts DIR USER PASSWORD` prints one JSON line
 * `{"apiUrl", "caPem", "pid"}` when it listens, and stops on SIGTERM.
 */
const [dir, username, password] = process.argv.slice(2);
const server = await startOvirt(dir, { username, password });
process.stdout.write(`${JSON.stringify({ apiUrl: server.apiUrl, caPem: server.caPem, pid: process.pid })}\n`);
process.once('SIGTERM', () => { void server.stop().then(() => process.exit(0)); });
