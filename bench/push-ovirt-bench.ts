/**
 * oVirt push throughput and sparseness, against the engine + imageio stand-in running in its own
 * process (test/providers/helpers/ovirt-server-main.ts):
 *  1. a dense raw image: the provider's push (disk, transfer, parallel ranged PUTs, flush, finalize)
 *     vs the same flow with the whole file sent by one `curl -X PUT --upload-file` (imageio's own
 *     documented example) — ratio = curl time / provider time, in the same run;
 *  2. a sparse raw image: bytes the provider PUT / bytes the file allocates.
 * Command: node --import tsx bench/push-ovirt-bench.ts [--dense-mib 256] [--sparse-gib 2]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { createExec, runTool } from '../src/platform/exec.js';
import { ovirtProvider } from '../src/plugins/providers/ovirt/ovirt-plugin.js';
import type { PushContext } from '../src/plugins/sdk/index.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const DENSE_MIB = arg('dense-mib', 256);
const SPARSE_GIB = arg('sparse-gib', 2);
const USER = 'admin@internal';
const PASSWORD = 'bench-password';

const root = await mkdtemp(join(tmpdir(), 'ovirt-bench-'));
const server = spawn(process.execPath, ['--import', 'tsx', new URL('../test/providers/helpers/ovirt-server-main.ts', import.meta.url).pathname, root, USER, PASSWORD], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const [line] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
  const { apiUrl, caPem } = JSON.parse(line) as { apiUrl: string; caPem: string };
  const caFile = join(root, 'ca.pem');
  await writeFile(caFile, caPem);
  const provider = { 'api-url': apiUrl, storage_domain: 'data', ca_cert: caPem };

  const dense = join(root, 'dense.raw');
  const fh = await open(dense, 'w');
  for (let i = 0; i < DENSE_MIB; i++) await fh.write(randomBytes(1 << 20));
  await fh.close();
  const sparse = join(root, 'sparse.raw');
  const sh = await open(sparse, 'w');
  await sh.truncate(SPARSE_GIB * 1024 ** 3);
  // 64 MiB of data in 1 MiB pieces scattered over the disk, like a filesystem's metadata and files.
  for (let i = 0; i < 64; i++) await sh.write(randomBytes(1 << 20), 0, 1 << 20, Math.floor((i * SPARSE_GIB * 1024) / 64) * (1 << 20));
  await sh.close();

  const push = async (path: string, id: string) => {
    const ctx: PushContext = {
      imageId: id, workDir: root, cacheDir: root, exec: createExec({ onLine: () => undefined }), log: () => undefined, progress: () => undefined,
      signal: new AbortController().signal, target: 'rhevm', provider, credentials: { username: USER, password: PASSWORD }, parameters: {},
      targetImage: { id, bodyPath: path, format: 'raw', template: null, properties: {} },
    };
    const t0 = performance.now();
    const r = await ovirtProvider.push(ctx);
    return { seconds: (performance.now() - t0) / 1000, sent: r.properties?.bytes_sent as number };
  };

  /** The same engine flow by hand, with the whole file sent by curl in one PUT. */
  const curlPush = async (path: string) => {
    const dispatcher = new Agent({ connect: { ca: caPem } });
    const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await request(url, { method: method as 'GET', headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), dispatcher });
      const text = await res.body.text();
      return text ? JSON.parse(text) as Record<string, any> : {};
    };
    const t0 = performance.now();
    const token = (await call('POST', apiUrl.replace(/\/api$/, '/sso/oauth/token'), new URLSearchParams({ grant_type: 'password', scope: 'ovirt-app-api', username: USER, password: PASSWORD }).toString(), { 'content-type': 'application/x-www-form-urlencoded' })).access_token as string;
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
    const size = (await stat(path)).size;
    const disk = await call('POST', `${apiUrl}/disks`, { name: 'curl', format: 'raw', provisioned_size: size, storage_domains: { storage_domain: [{ name: 'data' }] } }, h);
    while ((await call('GET', `${apiUrl}/disks/${disk.id}`, undefined, h)).status !== 'ok') await new Promise((r) => setTimeout(r, 200));
    let t = await call('POST', `${apiUrl}/imagetransfers`, { disk: { id: disk.id }, direction: 'upload' }, h);
    while (t.phase !== 'transferring') { await new Promise((r) => setTimeout(r, 200)); t = await call('GET', `${apiUrl}/imagetransfers/${t.id}`, undefined, h); }
    await runTool(['curl', '-sS', '--fail', '--cacert', caFile, '-X', 'PUT', '--upload-file', path, t.transfer_url]);
    await call('POST', `${apiUrl}/imagetransfers/${t.id}/finalize`, {}, h);
    while ((await call('GET', `${apiUrl}/imagetransfers/${t.id}`, undefined, h)).phase !== 'finished_success') await new Promise((r) => setTimeout(r, 200));
    const seconds = (performance.now() - t0) / 1000;
    await dispatcher.close();
    return { seconds };
  };

  await push(dense, 'warmup'); // first TLS handshakes, JIT, page cache
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < 3; i++) { theirs.push((await curlPush(dense)).seconds); ours.push((await push(dense, `dense-${i}`)).seconds); }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const mib = DENSE_MIB;
  const sp = await push(sparse, 'sparse');
  const allocated = (await stat(sparse)).blocks * 512;
  console.log(`dense ${mib} MiB raw: provider ${median(ours).toFixed(2)} s (${(mib / median(ours)).toFixed(0)} MiB/s), curl PUT flow ${median(theirs).toFixed(2)} s (${(mib / median(theirs)).toFixed(0)} MiB/s); ratio (curl time / provider time) ${(median(theirs) / median(ours)).toFixed(2)}`);
  console.log(`sparse ${SPARSE_GIB} GiB raw with ${(allocated / 2 ** 20).toFixed(0)} MiB allocated: ${(sp.sent / 2 ** 20).toFixed(1)} MiB PUT, bytes sent / allocated ${(sp.sent / allocated).toFixed(3)}, ${sp.seconds.toFixed(2)} s`);
} finally {
  if (server.pid && server.exitCode === null) { server.kill('SIGTERM'); await once(server, 'exit'); }
  await rm(root, { recursive: true, force: true });
}
