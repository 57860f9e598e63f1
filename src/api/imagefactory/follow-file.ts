import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';

/** A readable that tails a growing file until `active()` turns false, then ends after the last bytes. */
export function streamFollowing(path: string, active: () => boolean, pollMs = 500): Readable {
  async function* chunks() {
    let position = 0;
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const stillActive = active();
      const fh = await open(path, 'r').catch(() => undefined);
      if (fh) {
        try {
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, position);
            if (!bytesRead) break;
            position += bytesRead;
            yield Buffer.from(buf.subarray(0, bytesRead));
          }
        } finally { await fh.close(); }
      }
      if (!stillActive) return;
      await sleep(pollMs);
    }
  }
  return Readable.from(chunks());
}
