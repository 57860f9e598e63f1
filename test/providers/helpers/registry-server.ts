import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../../src/platform/exec.js';
import { freePort } from './free-port.js';
import { startServer, type ServerProcess } from './server-process.js';

export interface RegistryServer extends ServerProcess {
  /** host:port */
  address: string;
  dataDir: string;
}

/**
 * Debian's docker-registry (CNCF distribution) on 127.0.0.1, plain HTTP, deletes enabled,
 * optionally with htpasswd (bcrypt) auth. The caller stops it in `after`.
 */
export async function startRegistry(dir: string, auth?: { username: string; password: string }): Promise<RegistryServer> {
  await mkdir(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let authBlock = '';
  if (auth) {
    const { stdout } = await runTool(['htpasswd', '-Bbn', auth.username, auth.password]);
    await writeFile(join(dir, 'htpasswd'), stdout);
    authBlock = `auth: { htpasswd: { realm: imagefactory-test, path: ${JSON.stringify(join(dir, 'htpasswd'))} } }\n`;
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, `version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'data'))} }
  delete: { enabled: true }
http:
  addr: ${address}
health:
  storagedriver: { enabled: false }
${authBlock}`);
  const server = await startServer(['docker-registry', 'serve', config], join(dir, 'registry.log'), async () => {
    const res = await fetch(`http://${address}/v2/`);
    return res.status === 200 || res.status === 401;
  });
  return { ...server, address, dataDir: join(dir, 'data') };
}
