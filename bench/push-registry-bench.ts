/**
 * Registry push throughput (issue 7): the registry provider plugin against a plain `skopeo copy` of
 * an equally large OCI layout to the same docker-registry, interleaved, two rounds. Each push carries
 * fresh random content, so no blob is already on the registry. The ratio is skopeo's time over ours.
 *
 *   node --import tsx bench/push-registry-bench.ts [--mib 256] [--rounds 2]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../src/platform/exec.js';
import { registryProvider } from '../src/plugins/providers/registry/registry-plugin.js';
import type { PushContext } from '../src/plugins/sdk/index.js';
import { dockerPlugin } from '../src/plugins/targets/docker/docker-plugin.js';
import type { Tdl } from '../src/domain/template/tdl.js';
import { makeTargetContext } from '../test/helpers/target-context.js';
import { makePushContext } from '../test/providers/helpers/push-context.js';
import { startRegistry } from '../test/providers/helpers/registry-server.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mib = arg('mib', 256);
const rounds = arg('rounds', 2);

/** A docker target image (OCI layout beside the body, as the artifact store keeps it) holding `mib` MiB of random data. */
async function makeImage(root: string, name: string): Promise<PushContext['targetImage']> {
  const tree = join(root, `${name}-tree`);
  await mkdir(join(tree, 'data'), { recursive: true });
  const fh = await open(join(tree, 'data', 'blob'), 'w');
  for (let i = 0; i < mib; i++) await fh.write(randomBytes(1024 * 1024));
  await fh.close();
  const rootfsTar = join(root, `${name}-rootfs.tar`);
  await runTool(['tar', '--numeric-owner', '-C', tree, '-cf', rootfsTar, '.']);
  const ctx = await makeTargetContext({
    root, target: 'docker', outputName: `${name}.tar`, parameters: { tag: 'bench' },
    base: { id: name, diskPath: '/nonexistent', rootfsTarPath: rootfsTar, template: { name: 'bench', os: { arch: 'x86_64' } } as unknown as Tdl },
  });
  const result = await dockerPlugin.createTargetImage(ctx);
  const layout = join(root, `${name}-oci`);
  await rename(`${ctx.outputPath}.oci`, layout);
  await rm(tree, { recursive: true, force: true });
  return { id: name, bodyPath: ctx.outputPath, format: result.format, template: null, properties: { ...result.properties, oci_layout_path: layout } };
}

const root = await mkdtemp(join(tmpdir(), 'push-registry-bench-'));
const registry = await startRegistry(join(root, 'registry'));
try {
  const ours: number[] = [];
  const plain: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = await makeImage(root, `plain${r}`);
    let t = performance.now();
    await runTool(['skopeo', 'copy', '--dest-tls-verify=false', `oci:${String(a.properties.oci_layout_path)}`, `docker://${registry.address}/bench/plain:r${r}`]);
    plain.push(performance.now() - t);
    const b = await makeImage(root, `ours${r}`);
    const ctx = await makePushContext(root, { target: 'docker', provider: `${registry.address}/bench/ours:r${r}`, credentials: {}, targetImage: b });
    t = performance.now();
    await registryProvider.push(ctx);
    ours.push(performance.now() - t);
  }
  const best = (xs: number[]) => Math.min(...xs);
  console.log(`Registry push of a ${mib} MiB layer, ${rounds} interleaved rounds (best of each):`);
  console.log('| path | best s | MiB/s |');
  console.log('|---|---:|---:|');
  console.log(`| skopeo copy (baseline) | ${(best(plain) / 1000).toFixed(2)} | ${(mib / (best(plain) / 1000)).toFixed(0)} |`);
  console.log(`| registry provider plugin | ${(best(ours) / 1000).toFixed(2)} | ${(mib / (best(ours) / 1000)).toFixed(0)} |`);
  console.log(`ratio (skopeo time / our time): ${(best(plain) / best(ours)).toFixed(2)}`);
  console.log(`all rounds: skopeo ${plain.map((x) => (x / 1000).toFixed(2)).join(', ')} s; ours ${ours.map((x) => (x / 1000).toFixed(2)).join(', ')} s`);
} finally {
  await registry.stop();
  await rm(root, { recursive: true, force: true });
}
