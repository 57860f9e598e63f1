import type { Exec } from '../../sdk/index.js';
import type { DockerSettings } from './docker-parameters.js';

/** Docker/OCI architecture names for TDL arches. */
const OCI_ARCH: Record<string, string> = {
  x86_64: 'amd64', i386: '386', aarch64: 'arm64', armv7l: 'arm', ppc64le: 'ppc64le', ppc64: 'ppc64', s390x: 's390x',
};

export function ociArch(tdlArch: string | undefined): string {
  return OCI_ARCH[tdlArch ?? 'x86_64'] ?? tdlArch ?? 'amd64';
}

/**
 * Builds an OCI image layout from an uncompressed filesystem tar with umoci (one gzip layer, the
 * config from the Docker parameters), then writes a `docker load`-able archive from it with skopeo.
 * skopeo's docker-archive carries manifest.json plus the legacy <id>/json, VERSION, layer.tar and
 * repositories entries, so both old and new Docker versions load it.
 */
export async function buildOciImage(exec: Exec, opts: {
  layerTar: string; layoutDir: string; dockerArchive: string; settings: DockerSettings; arch: string;
}): Promise<{ reference: string }> {
  const s = opts.settings;
  const image = `${opts.layoutDir}:${s.tag}`;
  await exec(['umoci', 'init', '--layout', opts.layoutDir]);
  await exec(['umoci', 'new', '--image', image]);
  await exec(['umoci', 'raw', 'add-layer', '--image', image, opts.layerTar]);
  const config = [
    'umoci', 'config', '--image', image, `--os=${s.os}`, `--architecture=${opts.arch}`,
    '--author=Image Factory', `--history.comment=${s.comment}`, '--history.created_by=imagefactory docker target',
  ];
  if (s.cmd) {
    if (s.cmd.length === 0) config.push('--clear=config.cmd');
    for (const c of s.cmd) config.push(`--config.cmd=${c}`);
  }
  for (const e of s.env) config.push(`--config.env=${e}`);
  for (const [k, v] of Object.entries(s.labels)) config.push(`--config.label=${k}=${v}`);
  await exec(config);
  await exec(['umoci', 'gc', '--layout', opts.layoutDir]);
  const reference = `${s.repository}:${s.tag}`;
  await exec(['skopeo', 'copy', '--quiet', `oci:${image}`, `docker-archive:${opts.dockerArchive}:${reference}`]);
  return { reference };
}
