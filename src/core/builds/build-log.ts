import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The build log of one image: timestamped lines appended to a file that GET .../log streams. */
export class BuildLog {
  private readonly stream: WriteStream;

  static async open(path: string): Promise<BuildLog> {
    await mkdir(dirname(path), { recursive: true });
    return new BuildLog(path);
  }

  private constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', () => { /* a log write failure must not fail the build */ });
  }

  line(text: string): void {
    this.stream.write(`${new Date().toISOString()} ${text}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
