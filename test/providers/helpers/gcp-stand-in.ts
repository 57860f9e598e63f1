import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { startServer, type ServerProcess } from './server-process.js';

const SCRIPT = fileURLToPath(new URL('./gcp-server.ts', import.meta.url));

export interface GcpStandIn extends ServerProcess {
  /** http://127.0.0.1:port: the storage and compute endpoint override, and the token endpoint's origin. */
  url: string;
  dataDir: string;
  /** The bytes GCS stored for an object (read from the stand-in's disk). */
  objectBytes(bucket: string, name: string): Promise<Buffer>;
  stats(): Promise<Record<string, number> & { objects: string[]; images: string[] }>;
  /** The next `nthPut`-th chunk PUT stops after `afterBytes` and then drops the connection or answers `action`. */
  fault(f: { nth_put: number; after_bytes: number; action: 'drop' | number }): Promise<void>;
  resetStats(): Promise<void>;
}

export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/** A fresh RSA key pair and a service-account JSON key for it, in the format the Cloud Console downloads. */
export function makeServiceAccount(project: string, email: string, tokenUri: string): { key: ServiceAccountKey; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    key: {
      type: 'service_account', project_id: project, private_key_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: email, client_id: '112233445566778899001',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth', token_uri: tokenUri,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`, universe_domain: 'googleapis.com',
    },
  };
}

/** Starts test/providers/helpers/gcp-server.ts as its own process on 127.0.0.1 (stopped by its PID). */
export async function startGcpStandIn(dir: string, opts: { buckets: string[]; serviceAccounts: { client_email: string; public_key: string; projects: string[] }[]; port?: number }): Promise<GcpStandIn> {
  await mkdir(dir, { recursive: true });
  const port = opts.port ?? await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({ port, dataDir, buckets: opts.buckets, serviceAccounts: opts.serviceAccounts }));
  const server = await startServer([process.execPath, '--import', 'tsx', SCRIPT, configPath], join(dir, 'server.log'),
    async () => (await fetch(`${url}/_fake/stats`)).status === 200, 60_000);
  const control = async (path: string, body?: unknown) => {
    const r = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r.json();
  };
  return {
    ...server, url, dataDir,
    objectBytes: (bucket, name) => readFile(join(dataDir, 'objects', encodeURIComponent(bucket), encodeURIComponent(name))),
    stats: () => control('/_fake/stats'),
    fault: async (f) => { await control('/_fake/faults', f); },
    resetStats: async () => { await control('/_fake/reset', {}); },
  };
}
