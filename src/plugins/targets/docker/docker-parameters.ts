import type { ParameterSpec } from '../../sdk/index.js';
import { boolParam, checkEnumParameters, stringParam } from '../shared/parameters.js';

export const COMPRESSORS = ['xz', 'gzip', 'bzip2'] as const;
export type Compressor = (typeof COMPRESSORS)[number];

export const DOCKER_PARAMETERS: readonly ParameterSpec[] = [
  { name: 'create_docker_metadata', description: 'Wrap the filesystem tar as a loadable Docker image (false: a plain rootfs tar)', default: true, values: ['true', 'false'] },
  { name: 'compress', description: 'Compress the output tar', values: COMPRESSORS },
  { name: 'tar_excludes', description: 'Paths left out of the layer (comma list or JSON list; a directory excludes its contents)', default: './etc/fstab' },
  { name: 'repository', description: 'Repository name (default: the TDL name, lowercased)' },
  { name: 'tag', description: 'Tag', default: 'latest' },
  { name: 'docker_cmd', description: 'Default command, JSON (e.g. ["/bin/bash"])' },
  { name: 'docker_env', description: 'Environment, JSON list of "NAME=value"' },
  { name: 'docker_label', description: 'Labels, JSON object' },
  { name: 'docker_set_arch_label', description: 'Add an "architecture" label with the template arch', default: false, values: ['true', 'false'] },
  {
    name: 'dockerversion',
    description: 'Docker version to be loadable by. The output always has both the legacy layout (<id>/json, VERSION, layer.tar, repositories) '
      + 'and manifest.json, which every listed version loads',
    default: '1.10.1', values: ['0.11.1', '1.0.0', '1.7.0', '1.10.1'],
  },
  { name: 'comment', description: 'Image comment (history)', default: 'Created by Image Factory' },
  { name: 'os', description: 'Image OS', default: 'linux' },
];

export interface DockerSettings {
  wrap: boolean;
  compress: Compressor | null;
  excludes: string[];
  repository: string;
  tag: string;
  cmd: string[] | null;
  env: string[];
  labels: Record<string, string>;
  comment: string;
  os: string;
}

const REPOSITORY_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function jsonParam(params: Record<string, unknown>, name: string): unknown {
  const v = params[name];
  if (v === undefined || v === null || v === '' || v === 'null') return null;
  return typeof v === 'string' ? JSON.parse(v) : v;
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** A valid repository name from a free-form TDL name. */
export function repositoryFromName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._/-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return REPOSITORY_RE.test(cleaned) ? cleaned : 'imagefactory-image';
}

export function checkDockerParameters(params: Record<string, unknown>): string[] {
  const problems = checkEnumParameters(DOCKER_PARAMETERS, params);
  const repo = stringParam(params, 'repository');
  if (repo !== undefined && !REPOSITORY_RE.test(repo.toLowerCase())) problems.push(`Invalid value "${repo}" for parameter repository: not a Docker repository name`);
  const tag = stringParam(params, 'tag');
  if (tag !== undefined && !TAG_RE.test(tag)) problems.push(`Invalid value "${tag}" for parameter tag: not a Docker tag`);
  const json = (name: string, ok: (v: unknown) => boolean, what: string) => {
    try {
      const v = jsonParam(params, name);
      if (v !== null && !ok(v)) problems.push(`Invalid value for parameter ${name}: expected ${what}`);
    } catch {
      problems.push(`Invalid value for parameter ${name}: not JSON (expected ${what})`);
    }
  };
  json('docker_cmd', isStringList, 'a JSON list of strings');
  json('docker_env', (v) => isStringList(v) && v.every((e) => /^[^=]+=/.test(e)), 'a JSON list of "NAME=value" strings');
  json('docker_label', (v) => typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string'),
    'a JSON object of string values');
  if (params.docker_image_id !== undefined) {
    problems.push('Parameter docker_image_id is not supported: image ids are the sha256 digest of the image configuration');
  }
  if (params.tar_options !== undefined) {
    problems.push('Parameter tar_options is not supported: the layer is the base image\'s root filesystem tar, made at build time');
  }
  return problems;
}

export function dockerSettings(params: Record<string, unknown>, templateName: string | null, arch: string, fallbackName: string): DockerSettings {
  const labels = { ...((jsonParam(params, 'docker_label') as Record<string, string> | null) ?? {}) };
  if (boolParam(params, 'docker_set_arch_label', false)) labels.architecture = arch;
  const rawExcludes = params.tar_excludes;
  const excludes = rawExcludes === undefined ? ['./etc/fstab']
    : isStringList(rawExcludes) ? rawExcludes
      : String(rawExcludes).trim().startsWith('[') ? (JSON.parse(String(rawExcludes)) as string[])
        : String(rawExcludes).split(',').map((s) => s.trim()).filter(Boolean);
  return {
    wrap: boolParam(params, 'create_docker_metadata', true),
    compress: (stringParam(params, 'compress') as Compressor | undefined) ?? null,
    excludes,
    repository: (stringParam(params, 'repository') ?? repositoryFromName(templateName ?? fallbackName)).toLowerCase(),
    tag: stringParam(params, 'tag') ?? 'latest',
    cmd: jsonParam(params, 'docker_cmd') as string[] | null,
    env: (jsonParam(params, 'docker_env') as string[] | null) ?? [],
    labels,
    comment: stringParam(params, 'comment') ?? 'Created by Image Factory',
    os: stringParam(params, 'os') ?? 'linux',
  };
}
