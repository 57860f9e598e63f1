import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AppError } from '../../domain/errors.js';
import type { ImageRecord } from '../../domain/image.js';
import { parseTdl } from '../../domain/template/parse-tdl.js';
import { synthesizeTdl } from '../../domain/template/synthesize-tdl.js';
import { TdlError } from '../../domain/template/tdl-error.js';
import type { TdlArch } from '../../domain/template/tdl.js';
import type { Exec } from '../../plugins/sdk/index.js';
import { IMPORT_UPLOAD_NAME, type ImportSpec } from '../builds/imported-base-build.js';
import type { ArtifactStore } from '../ports/artifact-store.js';
import type { ImageStore } from '../ports/image-store.js';
import { IMPORT_FORMATS, probeDiskFormat, type ImportFormat } from './disk-format-probe.js';
import { newImageRecord } from './new-image-record.js';

export interface ImportBaseImageDeps {
  store: ImageStore;
  artifacts: ArtifactStore;
  engine: { start(image: ImageRecord): void };
  /** Runs qemu-img for the format probe. */
  exec: Exec;
  /** Largest upload accepted (config import_max_bytes). */
  maxBytes: number;
  /** Largest virtual disk size accepted (config import_max_virtual_bytes). */
  maxVirtualBytes: number;
}

export interface ImportRequest {
  /** The disk's bytes; read once, straight to a file. */
  body: Readable;
  /** The Content-Length the client announced, checked before anything is read. */
  declaredBytes?: number;
  name?: string;
  osName?: string;
  osVersion?: string;
  arch?: string;
  description?: string;
  /** The upload's format when the client knows it; otherwise it is probed. */
  format?: string;
  parameters: Record<string, unknown>;
}

/**
 * Turns an uploaded disk (raw, qcow2, vmdk, vhd, vhdx, vdi) into a base image, as the original's
 * `import_base_image` did: a TDL is synthesised from the given OS facts, the upload is stored in the
 * image's scratch directory and probed, and the build engine converts and boot-tests it like any
 * base image. Bad input leaves nothing behind: no record, no files.
 */
export async function importBaseImage(deps: ImportBaseImageDeps, req: ImportRequest): Promise<ImageRecord> {
  const template = templateFor(req);
  const forced = formatOf(req.format);
  if (req.declaredBytes !== undefined && req.declaredBytes > deps.maxBytes) throw tooLarge(deps.maxBytes);

  const record = newImageRecord('base_image', { template, parameters: req.parameters });
  try {
    const dir = await deps.artifacts.makeScratchDir(record.id);
    const path = join(dir, IMPORT_UPLOAD_NAME);
    const uploaded = await receive(req.body, path, deps.maxBytes);
    if (uploaded === 0) throw new AppError('REQUEST_INVALID', 'The upload is empty: send the disk image as the request body (Content-Type: application/octet-stream).');
    const probed = await probeDiskFormat(deps.exec, path, { forced, maxVirtualBytes: deps.maxVirtualBytes });
    const spec: ImportSpec = { format: probed.format, virtual_size: probed.virtualSize, uploaded_bytes: uploaded };
    record.properties = { import: spec };
    await deps.store.insertMany([record]);
  } catch (e) {
    await deps.artifacts.removeAll(record.id).catch(() => undefined);
    throw e;
  }
  deps.engine.start(record);
  return record;
}

function templateFor(req: ImportRequest): string {
  const missing = (['osName', 'osVersion'] as const).filter((k) => !req[k]?.trim());
  if (missing.length) {
    const names = missing.map((k) => (k === 'osName' ? 'os_name' : 'os_version'));
    throw new AppError('REQUEST_INVALID', `${names.join(' and ')} must be given for an imported disk (its OS is not inspected)`);
  }
  const xml = synthesizeTdl({
    name: req.name?.trim() || 'imported-image',
    osName: req.osName!, osVersion: req.osVersion!,
    arch: (req.arch?.trim() || 'x86_64') as TdlArch,
    description: req.description,
  });
  try {
    parseTdl(xml); // the synthesised template must be one every later build can read
  } catch (e) {
    if (e instanceof TdlError) throw new AppError('REQUEST_INVALID', `The given name or OS facts do not make a valid template: ${e.message}`);
    throw e;
  }
  return xml;
}

function formatOf(value: string | undefined): ImportFormat | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  const format = v === 'vhd' ? 'vpc' : v;
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new AppError('REQUEST_INVALID', `Unknown disk format "${value}"; accepted: ${IMPORT_FORMATS.join(', ')} (vhd = vpc)`);
  }
  return format as ImportFormat;
}

function tooLarge(max: number): AppError {
  return new AppError('REQUEST_TOO_LARGE', `The upload is larger than ${max} bytes (config import_max_bytes).`);
}

/** Streams the body to `path`, never holding more than a chunk in memory; stops at `max` bytes. */
async function receive(body: Readable, path: string, max: number): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  // Kept here (not left unhandled): a write error (ENOSPC...) fails the upload, never the daemon,
  // and so does a pending write that completes after destroy().
  let writeError: Error | undefined;
  out.on('error', (e) => { writeError ??= e; });
  let total = 0;
  try {
    // destroyOnReturn: false keeps the connection readable so a 413 can still be sent.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      if (writeError) throw writeError;
      total += chunk.length;
      if (total > max) { body.resume(); throw tooLarge(max); }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
    if (writeError) throw writeError;
  } catch (e) {
    out.destroy();
    throw e;
  }
  return total;
}
