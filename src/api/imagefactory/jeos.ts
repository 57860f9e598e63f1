import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface JeosImage { img_id: string; user?: string; cmd_prefix?: string }
export type JeosTree = Record<string, Record<string, Record<string, Record<string, Record<string, JeosImage>>>>>;

export interface JeosCatalog {
  /** `{"0": "<entry>", ...}` as GET /imagefactory/jeos shows the jeos_config entries. */
  entries(): Record<string, string>;
  images(): Promise<JeosTree>;
}

/**
 * JEOS lines `target:provider:os:version:arch:image_id[:user[:cmd_prefix]]` from the files and
 * directories of config `jeos_config` (URLs are not fetched: the daemon has no business reaching out).
 */
export function createJeosCatalog(entries: readonly unknown[]): JeosCatalog {
  const paths = entries.filter((e): e is string => typeof e === 'string');
  return {
    entries: () => Object.fromEntries(paths.map((p, i) => [String(i), p])),
    images: async () => {
      const tree: JeosTree = {};
      for (const file of await expand(paths)) {
        const text = await readFile(file, 'utf8').catch(() => '');
        for (const raw of text.split('\n')) {
          const line = raw.trim();
          if (!line || line.startsWith('#')) continue;
          const [target, provider, os, version, arch, imgId, user, ...rest] = line.split(':');
          if (!imgId) continue;
          const image: JeosImage = { img_id: imgId };
          if (user) image.user = user;
          if (rest.length) image.cmd_prefix = rest.join(':');
          (((tree[target] ??= {})[provider] ??= {})[os] ??= {})[version] ??= {};
          tree[target][provider][os][version][arch] = image;
        }
      }
      return tree;
    },
  };
}

async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (/^[a-z]+:\/\//i.test(p)) continue;
    const s = await stat(p).catch(() => undefined);
    if (s?.isDirectory()) {
      for (const name of (await readdir(p)).sort()) if (name.endsWith('.conf')) files.push(join(p, name));
    } else if (s?.isFile()) {
      files.push(p);
    }
  }
  return files;
}

/** The JEOS image whose img_id is `id`, with the target/provider/os/version/arch it is listed under. */
export function findJeosImage(tree: JeosTree, id: string): Record<string, string> | undefined {
  for (const [target, providers] of Object.entries(tree)) {
    for (const [provider, oses] of Object.entries(providers)) {
      for (const [os, versions] of Object.entries(oses)) {
        for (const [version, arches] of Object.entries(versions)) {
          for (const [arch, image] of Object.entries(arches)) {
            if (image.img_id === id) return { target, provider, os, version, arch, ...image };
          }
        }
      }
    }
  }
  return undefined;
}
