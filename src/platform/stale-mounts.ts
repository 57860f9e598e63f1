import { readFile } from 'node:fs/promises';
import { runTool } from './exec.js';

const IMAGE_DIR = /^\/(?:.*\/)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\//i;

/**
 * FUSE mounts under `roots` (the daemon's own FUSE exports: qemu-storage-daemon in a build's scratch
 * directory), from /proc/self/mountinfo. At start-up any such mount is left over from a daemon that
 * died: its qemu-storage-daemon is gone, so the mount is dead and blocks removing the directory.
 */
export async function fuseMountsUnder(roots: readonly string[]): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = unescapeMountinfo(left.split(' ')[4] ?? '');
    const fsType = right.split(' ')[0] ?? '';
    if (!fsType.startsWith('fuse')) continue;
    // Only inside a per-image directory (named by the image's UUID): the daemon's exports live there,
    // and nothing else under a shared scratch directory is touched.
    if (roots.some((r) => IMAGE_DIR.test(mountPoint.slice(r.replace(/\/+$/, '').length)) && mountPoint.startsWith(`${r.replace(/\/+$/, '')}/`))) out.push(mountPoint);
  }
  return out;
}

/** Lazily unmounts every FUSE mount under `roots`; returns the mount points it could unmount. */
export async function unmountStaleFuseMounts(roots: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  // Deepest first, so a mount inside another comes off before its parent.
  for (const mountPoint of (await fuseMountsUnder(roots)).sort((a, b) => b.length - a.length)) {
    // umount as root; fusermount for an unprivileged daemon (libfuse mounted it through fusermount).
    for (const argv of [['umount', '-l', mountPoint], ['fusermount3', '-u', '-z', mountPoint], ['fusermount', '-u', '-z', mountPoint]]) {
      if (await runTool(argv).then(() => true, () => false)) { done.push(mountPoint); break; }
    }
  }
  return done;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040...). */
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
