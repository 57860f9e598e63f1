/**
 * Azure page-blob push throughput against Azurite: the provider's upload (non-zero pages only,
 * bounded parallel, retries, resumable) versus a plain @azure/storage-blob `uploadPages` loop over
 * the same non-zero runs, one call after another, in the same run. Also the sparse figure: bytes
 * sent / bytes allocated in the VHD (target ≤ 1.05).
 *
 *   node --import tsx bench/push-azure-bench.ts [--mib 1024] [--data-mib 256] [--rounds 2]
 */
import { randomBytes } from 'node:crypto';
import { open, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec, runTool } from '../src/platform/exec.js';
import { dataExtents, extentBytes } from '../src/plugins/providers/shared/data-blocks.js';
import { pageRuns, uploadPageBlob } from '../src/plugins/providers/azure/page-blob-upload.js';
import { startAzurite } from '../test/providers/helpers/azurite-server.js';

const arg = (name: string, def: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || def;
const MIB = 1024 * 1024;
const SIZE_MIB = arg('mib', 1024);
const DATA_MIB = arg('data-mib', 256);
const ROUNDS = arg('rounds', 2);

/** A sparse raw disk with DATA_MIB of random data in ~4 MiB pieces spread evenly over it, made a fixed VHD. */
async function makeDisk(dir: string): Promise<string> {
  const raw = join(dir, 'disk.raw');
  const fh = await open(raw, 'w');
  await fh.truncate(SIZE_MIB * MIB);
  const pieces = Math.max(1, Math.floor(DATA_MIB / 4));
  const stride = Math.floor((SIZE_MIB * MIB) / pieces);
  for (let i = 0; i < pieces; i++) {
    const len = 4 * MIB - 4096 * Math.floor(Math.random() * 64);
    const slack = Math.max(0, stride - len);
    const offset = i * stride + 4096 * Math.floor((Math.random() * slack) / 4096);
    await fh.write(randomBytes(len), 0, len, offset);
  }
  await fh.close();
  const vhd = join(dir, 'disk.vhd');
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', raw, vhd]);
  await rm(raw);
  return vhd;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'azure-bench-'));
  const azurite = await startAzurite(dir);
  try {
    const vhd = await makeDisk(dir);
    const size = (await stat(vhd)).size;
    const extents = await dataExtents(createExec({}), vhd);
    const allocated = extentBytes(extents);
    const container = azurite.service.getContainerClient('bench');
    await container.create();
    const rows: string[] = [];
    let ratioSum = 0;
    let sparse = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      // Baseline: the plain SDK loop over the same non-zero runs.
      const plain = container.getPageBlobClient(`plain-${round}.vhd`);
      let t0 = process.hrtime.bigint();
      await plain.create(size);
      let plainBytes = 0;
      for await (const run of pageRuns(vhd, extents)) { await plain.uploadPages(run.data, run.offset, run.data.length); plainBytes += run.data.length; }
      const plainS = Number(process.hrtime.bigint() - t0) / 1e9;

      t0 = process.hrtime.bigint();
      const ours = await uploadPageBlob({ container, blobName: `ours-${round}.vhd`, path: vhd, extents, concurrency: 8, log: () => undefined, onBytes: () => undefined });
      const oursS = Number(process.hrtime.bigint() - t0) / 1e9;
      if (ours.bytesSent !== plainBytes) throw new Error(`sent ${ours.bytesSent} bytes, the plain loop ${plainBytes}`);
      const ratio = plainS / oursS;
      ratioSum += ratio;
      sparse = ours.bytesSent / allocated;
      rows.push(`| ${round} | ${(plainBytes / MIB / plainS).toFixed(0)} MiB/s (${plainS.toFixed(2)} s) | ${(ours.bytesSent / MIB / oursS).toFixed(0)} MiB/s (${oursS.toFixed(2)} s, ${ours.putPageCalls} calls) | ${ratio.toFixed(2)} |`);
      await Promise.all([plain.delete(), container.getPageBlobClient(`ours-${round}.vhd`).delete()]);
    }
    console.log(`Fixed VHD ${(size / MIB).toFixed(0)} MiB, ${(allocated / MIB).toFixed(1)} MiB allocated; Azurite 3.35 in memory on 127.0.0.1\n`);
    console.log('| round | plain uploadPages loop | provider upload (8 in flight) | throughput ratio (ours / plain) |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(`\nmean ratio ${(ratioSum / ROUNDS).toFixed(2)} (target ≥ 0.9); bytes sent / allocated ${sparse.toFixed(3)} (target ≤ 1.05)`);
  } finally {
    await azurite.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
