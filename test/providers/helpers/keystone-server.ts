import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../../src/platform/exec.js';
import { freePort } from './free-port.js';
import { startServer, type ServerProcess } from './server-process.js';

export interface KeystoneServer extends ServerProcess {
  /** http://127.0.0.1:port/v3 */
  url: string;
}

/**
 * Debian's Keystone (sqlite, fernet tokens) on 127.0.0.1, served by its pbr WSGI script's
 * built-in server, bootstrapped with user `admin` / project `admin` / role `admin`.
 */
export async function startKeystone(dir: string, adminPassword: string): Promise<KeystoneServer> {
  await mkdir(join(dir, 'fernet'), { recursive: true });
  await mkdir(join(dir, 'credential'), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/v3`;
  const conf = join(dir, 'keystone.conf');
  await writeFile(conf, `[DEFAULT]
log_file = ${join(dir, 'keystone.log')}
[database]
connection = sqlite:///${join(dir, 'keystone.sqlite')}
[token]
provider = fernet
[fernet_tokens]
key_repository = ${join(dir, 'fernet')}
[fernet_receipts]
key_repository = ${join(dir, 'fernet')}
[credential]
key_repository = ${join(dir, 'credential')}
`);
  const manage = (...args: string[]) => runTool(['keystone-manage', '--config-file', conf, ...args]);
  await manage('db_sync');
  await manage('fernet_setup', '--keystone-user', 'root', '--keystone-group', 'root');
  await manage('credential_setup', '--keystone-user', 'root', '--keystone-group', 'root');
  await manage('bootstrap', '--bootstrap-password', adminPassword, '--bootstrap-username', 'admin', '--bootstrap-project-name', 'admin',
    '--bootstrap-role-name', 'admin', '--bootstrap-service-name', 'keystone', '--bootstrap-region-id', 'RegionOne', '--bootstrap-public-url', url, '--bootstrap-internal-url', url, '--bootstrap-admin-url', url);
  const server = await startServer(['env', `OS_KEYSTONE_CONFIG_FILES=${conf}`, 'keystone-wsgi-public', '--host', '127.0.0.1', '--port', String(port)],
    join(dir, 'stdout.log'), async () => (await fetch(url)).status === 200);
  return { ...server, url };
}
