/**
 * Glance push throughput (issue 7): our provider plugin against `curl -T` uploading the very same
 * file to the same standalone glance-api (noauth) in the same run, interleaved, two rounds. The ratio
 * is curl's time over ours (≥ 0.9 means we lose at most 10 % to the plain tool).
 *
 *   node --import tsx bench/push-glance-bench.ts [--mib 1024] [--rounds 2]
 */
import { open, mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../src/platform/exec.js';
import { glanceProvider } from '../src/plugins/providers/glance/glance-plugin.js';
import { startGlance } from '../test/providers/helpers/glance-server.js';
import { makeDeleteContext, makePushContext } from '../test/providers/helpers/push-context.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mib = arg('mib', 1024);
const rounds = arg('rounds', 2);

/** A qcow2-sized body of incompressible data (Glance stores what it is sent; content does not matter). */
async function makeBody(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w');
  const chunk = randomBytes(8 * 1024 * 1024);
  for (let off = 0; off < bytes; off += chunk.length) await fh.write(chunk, 0, Math.min(chunk.length, bytes - off));
  await fh.close();
}

async function curlUpload(endpoint: string, file: string): Promise<number> {
  const t = performance.now();
  const created = await fetch(`${endpoint}/v2/images`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'curl-baseline', disk_format: 'raw', container_format: 'bare' }),
  });
  const { id } = await created.json() as { id: string };
  await runTool(['curl', '-sSf', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '-T', file, `${endpoint}/v2/images/${id}/file`]);
  const elapsed = performance.now() - t;
  await fetch(`${endpoint}/v2/images/${id}`, { method: 'DELETE' });
  return elapsed;
}

async function ourPush(root: string, endpoint: string, file: string): Promise<number> {
  const port = new URL(endpoint).port;
  const provider = { 'glance-host': '127.0.0.1', 'glance-port': port, disk_format: 'raw' };
  const ctx = await makePushContext(root, {
    target: 'openstack-kvm', provider, credentials: { strategy: 'noauth' },
    targetImage: { id: 'bench', bodyPath: file, format: 'raw', template: null, properties: {} },
  });
  const t = performance.now();
  const result = await glanceProvider.push(ctx);
  const elapsed = performance.now() - t;
  await glanceProvider.delete(await makeDeleteContext(root, { target: 'openstack-kvm', provider, credentials: { strategy: 'noauth' }, identifierOnProvider: result.identifierOnProvider }));
  return elapsed;
}

const root = await mkdtemp(join(tmpdir(), 'push-glance-bench-'));
const glance = await startGlance(join(root, 'glance'), 'noauth');
try {
  const file = join(root, 'body.raw');
  await makeBody(file, mib * 1024 * 1024);
  const ours: number[] = [];
  const curl: number[] = [];
  for (let r = 0; r < rounds; r++) {
    curl.push(await curlUpload(glance.endpoint, file));
    ours.push(await ourPush(root, glance.endpoint, file));
  }
  const best = (xs: number[]) => Math.min(...xs);
  const rate = (ms: number) => (mib / (ms / 1000)).toFixed(0);
  console.log(`Glance push of ${mib} MiB, ${rounds} interleaved rounds (best of each):`);
  console.log(`| path | best s | MiB/s |`);
  console.log(`|---|---:|---:|`);
  console.log(`| curl -T (baseline) | ${(best(curl) / 1000).toFixed(2)} | ${rate(best(curl))} |`);
  console.log(`| glance provider plugin | ${(best(ours) / 1000).toFixed(2)} | ${rate(best(ours))} |`);
  console.log(`ratio (curl time / our time): ${(best(curl) / best(ours)).toFixed(2)}`);
  console.log(`all rounds: curl ${curl.map((x) => (x / 1000).toFixed(2)).join(', ')} s; ours ${ours.map((x) => (x / 1000).toFixed(2)).join(', ')} s`);
} finally {
  await glance.stop();
  await rm(root, { recursive: true, force: true });
}
