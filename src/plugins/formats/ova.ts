import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Exec } from '../sdk/exec.js';
import { writeTarPackage } from './tar-package.js';

export interface OvaRequest {
  output: string;
  /** The OVF descriptor: archive name (e.g. `desc.ovf`) and XML text. */
  descriptor: { name: string; xml: string };
  /** Disk (and other) files referenced by the descriptor, in archive order. */
  files: readonly { name: string; path: string }[];
  gzip?: boolean;
  exec: Exec;
  log(line: string): void;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The OVF manifest: one `SHA256(name)= hex` line per member (descriptor included). */
export async function ovaManifest(descriptor: { name: string; xml: string }, files: OvaRequest['files']): Promise<string> {
  const lines = [`SHA256(${descriptor.name})= ${createHash('sha256').update(descriptor.xml).digest('hex')}`];
  for (const f of files) lines.push(`SHA256(${f.name})= ${await sha256File(f.path)}`);
  return lines.join('\n') + '\n';
}

/** An OVA: ustar with the OVF descriptor first, then the manifest (`<ovf basename>.mf`), then the files. */
export async function packOva(req: OvaRequest): Promise<{ format: 'ova'; manifest: string }> {
  req.log(`Computing SHA256 manifest for ${req.files.length} file(s)`);
  const manifest = await ovaManifest(req.descriptor, req.files);
  const mfName = req.descriptor.name.replace(/\.ovf$/, '') + '.mf';
  await writeTarPackage({
    output: req.output,
    entries: [
      { name: req.descriptor.name, content: req.descriptor.xml },
      { name: mfName, content: manifest },
      ...req.files,
    ],
    gzip: req.gzip,
    exec: req.exec,
    log: req.log,
  });
  return { format: 'ova', manifest };
}
