import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startServer, type ServerProcess } from './server-process.js';

/** moto_server (EC2, EBS direct, S3) on 127.0.0.1: the AWS stand-in of real-services.md. */
export interface MotoServer extends ServerProcess {
  endpoint: string;
}

export async function startMoto(dir: string): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server = await startServer(['moto_server', '-H', '127.0.0.1', '-p', String(port)], join(dir, 'moto.log'),
    async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, 60_000);
  return { ...server, endpoint };
}

/** Any keys work with moto; these are the AWS documentation's example keys. */
export const MOTO_KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
