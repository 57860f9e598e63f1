/**
 * GCE push throughput (issue 7), measured in one run against the documented-API stand-in
 * (test/providers/helpers/gcp-server.ts on 127.0.0.1):
 *  - ours: the provider's archive upload (resumable, one streamed request, CRC32C-validated, reuse
 *    check first, continued sessions on failure);
 *  - plain: the same file uploaded by the plain SDK loop, `file.createWriteStream({resumable: true})`
 *    with the SDK's defaults (one streamed request), same Storage client settings and validation.
 * Runs alternate (ours, plain, ours, plain…) to share the machine's noise; the ratio is plain time /
 * our time over the medians (≥ 1 means ours is at least as fast). Then one whole push (upload +
 * images.insert + operation wait) through the plugin, for the end-to-end figure.
 *
 *   node --import tsx bench/push-gce-bench.ts [--mib 256] [--runs 3]
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gceProvider } from '../src/plugins/providers/gce/gce-plugin.js';
import { AccessTokens } from '../src/plugins/providers/gce/access-tokens.js';
import { uploadArchive } from '../src/plugins/providers/gce/archive-upload.js';
import { storageClient } from '../src/plugins/providers/gce/gcp-clients.js';
import { readServiceAccount } from '../src/plugins/providers/gce/service-account.js';
import { ByteProgress } from '../src/plugins/providers/shared/byte-progress.js';
import { freePort } from '../test/providers/helpers/free-port.js';
import { makeServiceAccount, startGcpStandIn } from '../test/providers/helpers/gcp-stand-in.js';
import { makePushContext } from '../test/providers/helpers/push-context.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const MIB = arg('mib', 256);
const RUNS = arg('runs', 3);
const BUCKET = 'bench-bucket';
const PROJECT = 'bench-project';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = await mkdtemp(join(tmpdir(), 'gce-bench-'));
const port = await freePort();
const sa = makeServiceAccount(PROJECT, `bench@${PROJECT}.iam.gserviceaccount.com`, `http://127.0.0.1:${port}/token`);
const gcp = await startGcpStandIn(join(root, 'gcp'), { port, buckets: [BUCKET], serviceAccounts: [{ client_email: sa.key.client_email, public_key: sa.publicKey, projects: [PROJECT] }] });
try {
  // Incompressible bytes, like a gzip'd archive.
  const file = join(root, 'archive.tar.gz');
  const fh = await open(file, 'w');
  for (let i = 0; i < MIB; i++) await fh.write(randomBytes(1024 * 1024));
  await fh.close();
  const size = MIB * 1024 * 1024;

  const account = readServiceAccount(sa.key).account!;
  const tokens = new AccessTokens(account);
  await tokens.get();
  const storage = storageClient(PROJECT, tokens, gcp.url);
  const ours: number[] = [];
  const plain: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    await uploadArchive(storage, {
      bucket: BUCKET, objectName: `ours-${run}.tar.gz`, path: file, chunkSize: 0, metadata: {}, signal: new AbortController().signal,
      log: () => undefined, progress: new ByteProgress(size, () => undefined, 'bench'), beforeUpload: () => tokens.get(), retries: 6,
    });
    ours.push(performance.now() - t);
    t = performance.now();
    await pipeline(createReadStream(file), storage.bucket(BUCKET).file(`plain-${run}.tar.gz`).createWriteStream({ resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }));
    plain.push(performance.now() - t);
  }
  const rate = (ms: number) => (size / 1024 / 1024 / (ms / 1000)).toFixed(0);
  console.log(`archive ${MIB} MiB, ${RUNS} runs each, alternating`);
  console.log(`ours  (resumable, one streamed request, reuse check): median ${(median(ours) / 1000).toFixed(2)} s = ${rate(median(ours))} MiB/s  [${ours.map((x) => (x / 1000).toFixed(2)).join(', ')}]`);
  console.log(`plain (createWriteStream, SDK defaults):              median ${(median(plain) / 1000).toFixed(2)} s = ${rate(median(plain))} MiB/s  [${plain.map((x) => (x / 1000).toFixed(2)).join(', ')}]`);
  console.log(`ratio (plain time / our time): ${(median(plain) / median(ours)).toFixed(2)}`);

  // The optional chunked mode (each 32 MiB request buffered, so a failed one is resent from memory).
  let t = performance.now();
  await uploadArchive(storage, {
    bucket: BUCKET, objectName: 'chunked.tar.gz', path: file, chunkSize: 32 * 1024 * 1024, metadata: {}, signal: new AbortController().signal,
    log: () => undefined, progress: new ByteProgress(size, () => undefined, 'bench'), beforeUpload: () => tokens.get(), retries: 6,
  });
  console.log(`ours with chunk_size_mib=32: ${((performance.now() - t) / 1000).toFixed(2)} s = ${rate(performance.now() - t)} MiB/s`);

  // The retried push of the same bytes: found by MD5/CRC32C, nothing sent.
  t = performance.now();
  const r = await uploadArchive(storage, {
    bucket: BUCKET, objectName: 'ours-0.tar.gz', path: file, chunkSize: 0, metadata: {}, signal: new AbortController().signal,
    log: () => undefined, progress: new ByteProgress(size, () => undefined, 'bench'), retries: 6,
  });
  console.log(`retried push of the same archive: reused=${r.reused} in ${((performance.now() - t) / 1000).toFixed(2)} s (a local MD5 pass only)`);

  // One whole push through the plugin: needs a real archive (Compute reads disk.raw from it).
  const ctx = await makePushContext(root, {
    target: 'gce', provider: { bucket: BUCKET, storage_endpoint: gcp.url, compute_endpoint: gcp.url }, credentials: sa.key,
    targetImage: { id: 'bench-target', bodyPath: file, format: 'tar.gz', template: null, properties: {} },
  });
  t = performance.now();
  await gceProvider.push(ctx).then(
    () => console.log(`whole push (upload + images.insert + operation wait): ${((performance.now() - t) / 1000).toFixed(2)} s`),
    (e: Error) => console.log(`whole push: upload ${((performance.now() - t) / 1000).toFixed(2)} s, then Compute refused the random bytes as expected: ${e.message.slice(0, 120)}`),
  );
} finally {
  await gcp.stop();
  await rm(root, { recursive: true, force: true });
}
