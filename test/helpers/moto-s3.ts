import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../providers/helpers/free-port.js';
import { startServer, type ServerProcess } from '../providers/helpers/server-process.js';

export interface MotoS3 {
  endpoint: string;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** moto's S3 server on 127.0.0.1 (real S3 wire protocol, in-memory), stopped by its PID. */
export async function startMotoS3(): Promise<MotoS3> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server: ServerProcess = await startServer(['moto_server', '-H', '127.0.0.1', '-p', String(port)], join(tmpdir(), `moto-${port}.log`),
    async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, 30_000);
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    async createBucket(name) { await client.send(new CreateBucketCommand({ Bucket: name })); },
    async stop() { client.destroy(); await server.stop(); },
  };
}
