/**
 * libvirt push throughput and sparseness against a real libvirtd (qemu:///system; started here, or
 * reused when one answers), into a transient dir pool:
 *  1. a dense raw image: the provider's push vs the plain CLI (`virsh vol-create-as` + `virsh
 *     vol-upload`) in the same run — ratio = CLI time / provider time;
 *  2. a sparse raw image: the provider (vol-upload --sparse) vs the plain CLI, time and the volume's
 *     allocation / the file's allocation.
 * Command: node --import tsx bench/push-libvirt-bench.ts [--dense-mib 512] [--sparse-gib 4]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec, runTool } from '../src/platform/exec.js';
import { libvirtProvider } from '../src/plugins/providers/libvirt/libvirt-plugin.js';
import type { PushContext } from '../src/plugins/sdk/index.js';
import { startOrReuseLibvirtd } from '../test/providers/helpers/libvirtd.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const DENSE_MIB = arg('dense-mib', 512);
const SPARSE_GIB = arg('sparse-gib', 4);
const POOL = `imgfac-bench-${process.pid}`;

const root = await mkdtemp(join(tmpdir(), 'libvirt-bench-'));
const poolDir = join(root, 'pool');
await mkdir(poolDir);
const libvirtd = await startOrReuseLibvirtd(root);
const virsh = (args: string[]) => runTool(['virsh', '-q', '-c', 'qemu:///system', ...args]);
try {
  await virsh(['pool-create-as', POOL, 'dir', '--target', poolDir]);
  const dense = join(root, 'dense.raw');
  const fh = await open(dense, 'w');
  for (let i = 0; i < DENSE_MIB; i++) await fh.write(randomBytes(1 << 20));
  await fh.close();
  const sparse = join(root, 'sparse.raw');
  const sh = await open(sparse, 'w');
  await sh.truncate(SPARSE_GIB * 1024 ** 3);
  for (let i = 0; i < 64; i++) await sh.write(randomBytes(1 << 20), 0, 1 << 20, Math.floor((i * SPARSE_GIB * 1024) / 64) * (1 << 20));
  await sh.close();

  let n = 0;
  const push = async (path: string) => {
    const id = `bench-${n++}`;
    const ctx: PushContext = {
      imageId: id, workDir: root, cacheDir: root, exec: createExec({ onLine: () => undefined }), log: () => undefined, progress: () => undefined,
      signal: new AbortController().signal, target: 'ec2', provider: { type: 'libvirt', pool: POOL }, credentials: {}, parameters: {},
      targetImage: { id, bodyPath: path, format: 'raw', template: null, properties: {} },
    };
    const t0 = performance.now();
    const r = await libvirtProvider.push(ctx);
    const seconds = (performance.now() - t0) / 1000;
    const allocated = (await stat(r.identifierOnProvider)).blocks * 512;
    await virsh(['vol-delete', r.identifierOnProvider]);
    return { seconds, allocated };
  };
  const plain = async (path: string) => {
    const size = (await stat(path)).size;
    const t0 = performance.now();
    await virsh(['vol-create-as', POOL, 'plain.img', String(size), '--format', 'raw']);
    await virsh(['vol-upload', '--pool', POOL, 'plain.img', path]);
    const seconds = (performance.now() - t0) / 1000;
    const allocated = (await stat(join(poolDir, 'plain.img'))).blocks * 512;
    await virsh(['vol-delete', '--pool', POOL, 'plain.img']);
    return { seconds, allocated };
  };
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  await push(dense); // warm-up: page cache, libvirtd's storage driver
  const ours: number[] = [];
  const cli: number[] = [];
  // Interleaved, alternating which goes first: the machine is shared and noisy.
  for (let i = 0; i < 7; i++) {
    if (i % 2) { ours.push((await push(dense)).seconds); cli.push((await plain(dense)).seconds); }
    else { cli.push((await plain(dense)).seconds); ours.push((await push(dense)).seconds); }
  }
  console.log(`dense ${DENSE_MIB} MiB raw: provider ${median(ours).toFixed(2)} s (${(DENSE_MIB / median(ours)).toFixed(0)} MiB/s), virsh vol-create-as + vol-upload ${median(cli).toFixed(2)} s (${(DENSE_MIB / median(cli)).toFixed(0)} MiB/s); ratio (CLI time / provider time) ${(median(cli) / median(ours)).toFixed(2)}`);
  const fileAllocated = (await stat(sparse)).blocks * 512;
  const sp = await push(sparse);
  const pl = await plain(sparse);
  console.log(`sparse ${SPARSE_GIB} GiB raw, ${(fileAllocated / 2 ** 20).toFixed(0)} MiB allocated: provider ${sp.seconds.toFixed(2)} s, volume allocates ${(sp.allocated / 2 ** 20).toFixed(0)} MiB (${(sp.allocated / fileAllocated).toFixed(3)} of the file); plain vol-upload ${pl.seconds.toFixed(2)} s, ${(pl.allocated / 2 ** 20).toFixed(0)} MiB (${(pl.allocated / fileAllocated).toFixed(3)})`);
} finally {
  await virsh(['pool-destroy', POOL]).catch(() => undefined);
  await libvirtd.stop();
  await rm(root, { recursive: true, force: true });
}
