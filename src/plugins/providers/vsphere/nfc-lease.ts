import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { AppError } from '../../../domain/errors.js';
import { child, children, rawPart, text, textPart, type MoRef } from './soap-envelope.js';
import { createAgent, type VimClient } from './vim-client.js';
import { retrieveProperties } from './vim-properties.js';
import type { ServiceContent } from './vim-session.js';
import type { ImportFileItem } from './ovf-import.js';
import { localizedMessage } from './ovf-import.js';

/** What a ready lease says: the VM it made and where each of its files is uploaded. */
export interface LeaseInfo {
  entity: MoRef;
  deviceUrls: { importKey: string; url: string; sslThumbprint?: string; disk: boolean }[];
}

/** Waits until the lease leaves `initializing`; `error` is vSphere's message, as a push failure. */
export async function waitForLease(vim: VimClient, content: ServiceContent, lease: MoRef, signal?: AbortSignal): Promise<LeaseInfo> {
  for (let delay = 250; ; delay = Math.min(2000, delay * 2)) {
    const props = await retrieveProperties(vim, content, lease, ['state', 'error', 'info']);
    const state = text(props.get('state'));
    if (state === 'ready') {
      const info = props.get('info');
      const entity = child(info, 'entity');
      const type = entity?.['@_type'];
      if (!entity || typeof type !== 'string') throw new AppError('PROVIDER_FAILED', 'vSphere: the ready lease names no VM');
      return {
        entity: { type, value: text(entity)! },
        deviceUrls: children(info, 'deviceUrl').map((d) => ({
          importKey: text(child(d, 'importKey')) ?? '',
          url: text(child(d, 'url')) ?? '',
          sslThumbprint: text(child(d, 'sslThumbprint')) || undefined,
          disk: text(child(d, 'disk')) === 'true',
        })),
      };
    }
    if (state === 'error') throw new AppError('PROVIDER_FAILED', `vSphere: the import lease failed: ${localizedMessage(props.get('error'))}`);
    if (state !== 'initializing') throw new AppError('PROVIDER_FAILED', `vSphere: the import lease is ${state ?? 'in no state'}, not ready`);
    await sleep(delay, undefined, { signal });
  }
}

/** The lease's upload URL for a file item; vCenter writes `*` for "the host you called". */
export function deviceUrlFor(info: LeaseInfo, item: ImportFileItem, sdkUrl: URL): { url: URL; sslThumbprint?: string } {
  const d = info.deviceUrls.find((u) => u.importKey === item.deviceId);
  if (!d) throw new AppError('PROVIDER_FAILED', `vSphere: the lease has no upload URL for ${item.deviceId} (${item.path})`);
  const url = new URL(d.url.replace('://*', `://${sdkUrl.host}`));
  return { url, sslThumbprint: d.sslThumbprint };
}

export interface UploadOptions {
  vim: VimClient;
  content: ServiceContent;
  lease: MoRef;
  url: URL;
  /** The ESXi host's certificate thumbprint from the lease (when the upload goes to a host, not the vCenter). */
  sslThumbprint?: string;
  path: string;
  /** A disk (POST as a streamOptimized VMDK) or another file (PUT with Overwrite), as ovftool does. */
  disk: boolean;
  onBytes: (n: number) => void;
  signal?: AbortSignal;
  /** How often HttpNfcLeaseProgress tells vSphere the transfer is alive (the lease times out otherwise). */
  progressIntervalMs?: number;
}

/**
 * Streams the file to the lease's device URL with the session cookie; bytes are counted as they
 * go, and every few seconds HttpNfcLeaseProgress reports the percentage so the lease stays alive.
 * Returns the bytes sent (vSphere answered 200/201 after taking them all).
 */
export async function uploadToLease(o: UploadOptions): Promise<number> {
  const size = (await stat(o.path)).size;
  let sent = 0;
  // Counted as undici takes each chunk: read-ahead is one chunk, so the count is what went out.
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(o.path, { highWaterMark: 4 * 1024 * 1024 })) {
      sent += (chunk as Buffer).length;
      o.onBytes((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  }
  const sameHost = o.url.host === o.vim.sdkUrl.host;
  const dispatcher: Agent = !sameHost && o.sslThumbprint ? createAgent({ fingerprint: o.sslThumbprint }) : o.vim.dispatcher;
  let lastPercent = -1;
  let reporting: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const percent = size ? Math.min(99, Math.floor((sent / size) * 100)) : 0;
    if (percent === lastPercent) return;
    lastPercent = percent;
    // One report at a time; a failed report is not fatal (the next one, or Complete, will tell).
    reporting = reporting.then(() => leaseProgress(o.vim, o.lease, percent)).catch(() => undefined);
  }, o.progressIntervalMs ?? 2000);
  try {
    const res = await request(o.url, {
      method: o.disk ? 'POST' : 'PUT',
      dispatcher,
      signal: o.signal,
      headers: {
        'content-type': o.disk ? 'application/x-vnd.vmware-streamVmdk' : 'application/octet-stream',
        'content-length': String(size),
        ...(o.disk ? {} : { overwrite: 't' }),
        // The URL's lease ticket authorises the transfer; the vCenter session cookie goes only to the vCenter.
        ...(sameHost && o.vim.sessionCookie ? { cookie: o.vim.sessionCookie } : {}),
      },
      body: Readable.from(counted(), { objectMode: false }),
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    const answer = await res.body.text();
    if (res.statusCode !== 200 && res.statusCode !== 201) {
      throw Object.assign(new Error(`vSphere refused the disk upload (HTTP ${res.statusCode})${answer ? `: ${answer.trim().slice(0, 200)}` : ''}`), { statusCode: res.statusCode });
    }
    if (sent !== size) throw new Error(`sent ${sent} of ${size} bytes of ${o.path}`);
    return sent;
  } finally {
    clearInterval(timer);
    await reporting;
    if (dispatcher !== o.vim.dispatcher) await dispatcher.close().catch(() => undefined);
  }
}

export async function leaseProgress(vim: VimClient, lease: MoRef, percent: number): Promise<void> {
  await vim.call('HttpNfcLeaseProgress', lease, [textPart('percent', percent)]);
}

export async function leaseComplete(vim: VimClient, lease: MoRef): Promise<void> {
  await vim.call('HttpNfcLeaseComplete', lease);
}

/** HttpNfcLeaseAbort with the reason (vSphere then removes the half-imported VM). Not bound to the push's signal. */
export async function leaseAbort(vim: VimClient, lease: MoRef, reason: string): Promise<void> {
  const fault = `<fault><fault xsi:type="SystemError"><reason>${escape(reason)}</reason></fault><localizedMessage>${escape(reason)}</localizedMessage></fault>`;
  await vim.call('HttpNfcLeaseAbort', lease, [rawPart(fault)], null);
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
