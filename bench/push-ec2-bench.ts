/**
 * EC2 push speed (issue 7), measured in one run against moto_server on 127.0.0.1:
 *  - throughput of the ec2 provider's EBS direct push (plugin: map the sparse disk, read, checksum
 *    and PutSnapshotBlock the non-zero blocks 16 at a time, CompleteSnapshot, wait, RegisterImage)
 *    versus a straight SDK loop sending the very same blocks with the same concurrency
 *    (StartSnapshot, PutSnapshotBlock, CompleteSnapshot; the block list computed before timing);
 *  - bytes sent / bytes allocated, for the sparse disk and for a real ext4 filesystem image;
 *  - this process's RSS while it pushes a 10 GiB disk holding 1 GiB of data (flat: blocks are read lazily).
 * After one warm-up round of each, rounds alternate plugin and baseline; moto is reset between them. Ratio = baseline time / plugin time.
 *
 *   node --import tsx bench/push-ec2-bench.ts [--data-mib 256] [--rounds 3] [--rss-data-mib 1024]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteSnapshotCommand, EBSClient, PutSnapshotBlockCommand, StartSnapshotCommand } from '@aws-sdk/client-ebs';
import { createExec } from '../src/platform/exec.js';
import { ec2Provider } from '../src/plugins/providers/ec2/ec2-plugin.js';
import { EBS_BLOCK } from '../src/plugins/providers/ec2/ebs-snapshot-upload.js';
import { dataExtents, nonZeroBlocks } from '../src/plugins/providers/shared/data-blocks.js';
import { allocatedBytes, makeSparseDisk } from '../test/helpers/sparse-disk.js';
import { makeSyntheticDisk } from '../test/helpers/synthetic-disk.js';
import { MOTO_KEYS, startMoto } from '../test/providers/helpers/moto-server.js';
import { makePushContext } from '../test/providers/helpers/push-context.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = 1024 * 1024;
const dataMiB = arg('data-mib', 256);
const rounds = arg('rounds', 3);
const CONCURRENCY = 16;

const root = await mkdtemp(join(tmpdir(), 'push-ec2-bench-'));
const moto = await startMoto(root);
try {
  const disk = join(root, 'disk.raw');
  // 4 GiB virtual; the data in 8 runs spread over the disk, the rest holes (like a fresh OS image).
  const runs = 8;
  const per = Math.floor(dataMiB / runs) * MIB;
  await makeSparseDisk(disk, { sizeBytes: 4096 * MIB, regions: Array.from({ length: runs }, (_, i) => ({ offset: i * 512 * MIB + 3 * MIB, length: per })) });
  const size = (await stat(disk)).size;
  const allocated = await allocatedBytes(disk);
  const extents = await dataExtents(createExec({}), disk);
  const indexes: number[] = [];
  for await (const b of nonZeroBlocks(disk, EBS_BLOCK, extents)) indexes.push(b.index);
  console.log(`disk: ${size / MIB} MiB virtual, ${(allocated / MIB).toFixed(1)} MiB allocated, ${indexes.length} non-zero blocks; moto ${moto.endpoint}`);

  const ebs = new EBSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_KEYS });
  const reset = () => fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });

  async function baseline(): Promise<number> {
    const t = performance.now();
    const s = await ebs.send(new StartSnapshotCommand({ VolumeSize: Math.ceil(size / 1024 ** 3) }));
    const fh = await open(disk, 'r');
    let next = 0;
    const worker = async () => {
      while (next < indexes.length) {
        const index = indexes[next++];
        const data = Buffer.alloc(EBS_BLOCK);
        await fh.read(data, 0, EBS_BLOCK, index * EBS_BLOCK);
        await ebs.send(new PutSnapshotBlockCommand({
          SnapshotId: s.SnapshotId, BlockIndex: index, BlockData: data, DataLength: EBS_BLOCK,
          Checksum: createHash('sha256').update(data).digest('base64'), ChecksumAlgorithm: 'SHA256',
        }));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await fh.close();
    await ebs.send(new CompleteSnapshotCommand({ SnapshotId: s.SnapshotId, ChangedBlocksCount: indexes.length }));
    return performance.now() - t;
  }

  let sent = 0;
  async function plugin(round: number): Promise<number> {
    const ctx = await makePushContext(root, {
      target: 'ec2', provider: { region: 'us-east-1', endpoint: moto.endpoint },
      credentials: { access_key_id: MOTO_KEYS.accessKeyId, secret_access_key: MOTO_KEYS.secretAccessKey },
      // A new target image id each round: nothing to reuse.
      targetImage: { id: `bench-${round}-${Date.now()}`, bodyPath: disk, format: 'raw', template: null, properties: {} },
      parameters: { ec2_upload_concurrency: CONCURRENCY },
    });
    const t = performance.now();
    const r = await ec2Provider.push(ctx);
    const ms = performance.now() - t;
    sent = (r.properties as Record<string, number>).ec2_bytes_sent;
    return ms;
  }

  // One unmeasured round of each first: the SDK clients load their modules lazily on the first call.
  await reset(); await plugin(-1); await reset(); await baseline();
  const times = { plugin: [] as number[], baseline: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    await reset();
    if (i % 2 === 0) { times.plugin.push(await plugin(i)); await reset(); times.baseline.push(await baseline()); }
    else { times.baseline.push(await baseline()); await reset(); times.plugin.push(await plugin(i)); }
    console.log(`round ${i + 1}: plugin ${(times.plugin.at(-1)! / 1000).toFixed(2)} s, SDK loop ${(times.baseline.at(-1)! / 1000).toFixed(2)} s`);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const p = median(times.plugin);
  const b = median(times.baseline);
  const mbps = (ms: number) => (indexes.length * EBS_BLOCK / MIB / (ms / 1000)).toFixed(1);
  console.log(`median: plugin ${(p / 1000).toFixed(2)} s (${mbps(p)} MiB/s of blocks), SDK loop ${(b / 1000).toFixed(2)} s (${mbps(b)} MiB/s)`);
  console.log(`throughput ratio (plugin / SDK loop) = ${(b / p).toFixed(3)}`);
  console.log(`sparse: bytes sent ${sent} / bytes allocated ${allocated} = ${(sent / allocated).toFixed(4)}`);

  // A real filesystem image: GPT + ext4 made by mkfs.ext4 -d, metadata scattered over the disk.
  const fs = await makeSyntheticDisk(join(root, 'ext4'), { sizeMiB: 2048, blobMiB: 256 });
  await reset();
  const fsAllocated = await allocatedBytes(fs.path);
  const ctx = await makePushContext(root, {
    target: 'ec2', provider: { region: 'us-east-1', endpoint: moto.endpoint },
    credentials: { access_key_id: MOTO_KEYS.accessKeyId, secret_access_key: MOTO_KEYS.secretAccessKey },
    targetImage: { id: `bench-ext4-${Date.now()}`, bodyPath: fs.path, format: 'raw', template: null, properties: {} },
  });
  const fsSent = ((await ec2Provider.push(ctx)).properties as Record<string, number>).ec2_bytes_sent;
  console.log(`ext4 disk (2 GiB, 256 MiB of file data): bytes sent ${fsSent} / bytes allocated ${fsAllocated} = ${(fsSent / fsAllocated).toFixed(4)}`);
  await rm(join(root, 'ext4'), { recursive: true, force: true });

  // Memory: this process's RSS while it pushes a 10 GiB disk holding `--rss-data-mib` of data.
  const big = join(root, 'big.raw');
  const bigData = arg('rss-data-mib', 1024) * MIB;
  await makeSparseDisk(big, { sizeBytes: 10 * 1024 * MIB, regions: Array.from({ length: 16 }, (_, i) => ({ offset: i * 640 * MIB, length: Math.floor(bigData / 16 / MIB) * MIB })) });
  await reset();
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const bigCtx = await makePushContext(root, {
    target: 'ec2', provider: { region: 'us-east-1', endpoint: moto.endpoint },
    credentials: { access_key_id: MOTO_KEYS.accessKeyId, secret_access_key: MOTO_KEYS.secretAccessKey },
    targetImage: { id: `bench-big-${Date.now()}`, bodyPath: big, format: 'raw', template: null, properties: {} },
  });
  const tBig = performance.now();
  const bigSent = ((await ec2Provider.push(bigCtx)).properties as Record<string, number>).ec2_bytes_sent;
  clearInterval(sampler);
  console.log(`10 GiB disk, ${(bigSent / MIB).toFixed(0)} MiB sent in ${((performance.now() - tBig) / 1000).toFixed(1)} s: RSS ${(before / MIB).toFixed(0)} MiB before, peak ${(peak / MIB).toFixed(0)} MiB (+${((peak - before) / MIB).toFixed(0)} MiB)`);
} finally {
  await moto.stop();
  await rm(root, { recursive: true, force: true });
}
