import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { freePort } from './free-port.js';
import { startServer, type ServerProcess } from './server-process.js';

/** Azurite's development account (documented, public: learn.microsoft.com "Use Azurite"). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer extends ServerProcess {
  /** http://127.0.0.1:PORT/devstoreaccount1 (path-style account URL) */
  blobEndpoint: string;
  /** A service client with the account key, for reading back what a push stored. */
  service: BlobServiceClient;
}

const AZURITE_BLOB = fileURLToPath(new URL('../../../node_modules/.bin/azurite-blob', import.meta.url));

/**
 * Azurite 3.35's blob service on 127.0.0.1, in memory. --skipApiVersionCheck because
 * @azure/storage-blob 12.32 sends a newer x-ms-version than Azurite knows; --disableTelemetry
 * keeps it off the network. Stopped by PID.
 */
export async function startAzurite(dir: string): Promise<AzuriteServer> {
  const port = await freePort();
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const server = await startServer([
    AZURITE_BLOB, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence',
    '--disableTelemetry', '--skipApiVersionCheck', '--silent',
  ], join(dir, 'azurite.log'), async () => {
    const res = await fetch(`${blobEndpoint}?comp=list`);
    return res.status === 403 || res.status === 200;
  });
  const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  return { ...server, blobEndpoint, service };
}
