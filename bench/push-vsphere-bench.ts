/**
 * vSphere push throughput (issue 7): the provider's whole push (login, inventory look-ups,
 * CreateImportSpec, ImportVApp, the VMDK streamed to the HttpNfcLease with byte counting and
 * HttpNfcLeaseProgress, Complete) versus a plain `curl -T` POST of the same file to a lease's device
 * URL (lease made beforehand, not timed), both against vcsim (tools/vcsimlite) on 127.0.0.1, in the
 * same run, alternating, median of the rounds. vcsim discards NFC bytes, so this measures the client
 * side: the ratio is what counts.
 *
 *   node --import tsx bench/push-vsphere-bench.ts [--mib 512] [--rounds 3]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../src/platform/exec.js';
import { vsphereProvider } from '../src/plugins/providers/vsphere/vsphere-plugin.js';
import { VimClient } from '../src/plugins/providers/vsphere/vim-client.js';
import { login, logout, retrieveServiceContent } from '../src/plugins/providers/vsphere/vim-session.js';
import { findPlacement } from '../src/plugins/providers/vsphere/vsphere-inventory.js';
import { readVsphereProvider } from '../src/plugins/providers/vsphere/vsphere-provider.js';
import { createImportSpec, importVApp } from '../src/plugins/providers/vsphere/ovf-import.js';
import { deviceUrlFor, leaseComplete, waitForLease } from '../src/plugins/providers/vsphere/nfc-lease.js';
import { destroyVm } from '../src/plugins/providers/vsphere/vm-operations.js';
import { makeDeleteContext, makePushContext } from '../test/providers/helpers/push-context.js';
import { startVcsim } from '../test/providers/helpers/vcsim-server.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const MIB = arg('mib', 512);
const ROUNDS = arg('rounds', 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = await mkdtemp(join(tmpdir(), 'push-vsphere-bench-'));
const vcsim = await startVcsim(dir);
try {
  // Incompressible data, so the streamOptimized VMDK is as large as the data it holds.
  const raw = join(dir, 'disk.raw');
  const vmdk = join(dir, 'disk.vmdk');
  await runTool(['sh', '-c', 'head -c "$1" /dev/urandom > "$2"', 'sh', String(MIB * 1024 * 1024), raw]);
  await runTool(['qemu-img', 'convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized,adapter_type=lsilogic', raw, vmdk]);
  const size = (await stat(vmdk)).size;
  const provider = { 'api-url': vcsim.sdkUrl, thumbprint: vcsim.thumbprint, datastore: 'LocalDS_0', resource_pool: 'DC0_C0/Resources' };
  const credentials = { username: 'user', password: 'pass' };
  const push: number[] = [];
  const plain: number[] = [];
  const upload: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The provider's push, end to end.
    const ctx = await makePushContext(dir, { target: 'vsphere', provider, credentials, targetImage: { id: 'bench', bodyPath: vmdk, format: 'vmdk', template: null, properties: {} } });
    ctx.imageId = `bench-push-${round}`;
    const marks: Record<string, number> = {};
    const log = ctx.log;
    ctx.log = (l) => { if (/^Uploading /.test(l)) marks.up = performance.now(); if (/^Lease .* complete/.test(l)) marks.done = performance.now(); log(l); };
    let t = performance.now();
    const r = await vsphereProvider.push(ctx);
    push.push(performance.now() - t);
    upload.push(marks.done - marks.up);
    await vsphereProvider.delete(await makeDeleteContext(dir, { target: 'vsphere', provider, credentials, identifierOnProvider: r.identifierOnProvider }));

    // Baseline: the same file POSTed by curl to a lease made by hand.
    const p = readVsphereProvider(provider).provider!;
    const vim = new VimClient(p.sdkUrl, p.tls);
    const content = await retrieveServiceContent(vim);
    await login(vim, content, credentials.username, credentials.password);
    const place = await findPlacement(vim, content, p);
    const spec = await createImportSpec(vim, content, place, {
      name: `bench-plain-${round}`, cpus: 1, memoryMb: 1024, guestId: 'otherLinux64Guest', hardwareVersion: 'vmx-10', diskProvisioning: 'thin',
      networkName: p.network, disk: { fileSize: size, capacity: MIB * 1024 * 1024 },
    }, () => undefined);
    const lease = await importVApp(vim, place, spec.specXml);
    const info = await waitForLease(vim, content, lease);
    const { url } = deviceUrlFor(info, spec.fileItems[0], vim.sdkUrl);
    t = performance.now();
    const curl = await runTool(['curl', '-sS', '-k', '--fail', '-X', 'POST', '-T', vmdk, '-H', 'Content-Type: application/x-vnd.vmware-streamVmdk', '-b', vim.sessionCookie!, url.toString()]);
    plain.push(performance.now() - t);
    if (curl.code !== 0) throw new Error(`curl failed: ${curl.stderr}`);
    await leaseComplete(vim, lease);
    await destroyVm(vim, content, info.entity, () => undefined);
    await logout(vim, content);
    await vim.close();
    console.log(`round ${round + 1}: push ${(push[round] / 1000).toFixed(2)} s (its lease upload ${(upload[round] / 1000).toFixed(2)} s), curl ${(plain[round] / 1000).toFixed(2)} s`);
  }
  const mbps = (ms: number) => (size / 1024 / 1024) / (ms / 1000);
  console.log(`\nVMDK ${(size / 1024 / 1024).toFixed(0)} MiB (streamOptimized, ${MIB} MiB of random data), ${ROUNDS} rounds, medians:`);
  console.log(`| path | median s | MiB/s |\n|---|---:|---:|`);
  console.log(`| provider push (whole import) | ${(median(push) / 1000).toFixed(2)} | ${mbps(median(push)).toFixed(0)} |`);
  console.log(`| provider lease upload (within the push) | ${(median(upload) / 1000).toFixed(2)} | ${mbps(median(upload)).toFixed(0)} |`);
  console.log(`| curl -T POST to the lease URL (upload only) | ${(median(plain) / 1000).toFixed(2)} | ${mbps(median(plain)).toFixed(0)} |`);
  // Each round's push and curl ran back to back, so the median of per-round ratios resists load drift.
  const perRound = upload.map((u, i) => plain[i] / u);
  console.log(`median per-round ratio lease upload/curl throughput: ${median(perRound).toFixed(2)} (rounds: ${perRound.map((r) => r.toFixed(2)).join(', ')})`);
  console.log(`ratio of medians lease upload/curl throughput: ${(median(plain) / median(upload)).toFixed(2)}; whole push/curl: ${(median(plain) / median(push)).toFixed(2)}`);
} finally {
  await vcsim.stop();
  await rm(dir, { recursive: true, force: true });
}
