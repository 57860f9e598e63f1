import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../../src/platform/exec.js';
import { freePort } from './free-port.js';
import { startServer, type ServerProcess } from './server-process.js';

export interface GlanceServer extends ServerProcess {
  /** http://127.0.0.1:port */
  endpoint: string;
  port: number;
}

/**
 * A standalone glance-api (Debian's, sqlite + file store) on 127.0.0.1 without Keystone
 * (toolchain.md §8). `trusted`: the keystone pipeline minus authtoken, so requests must carry the
 * identity headers an authenticating proxy would add (401 otherwise); `noauth`: the stock
 * unauthenticated pipeline. `keystone`: the stock keystone pipeline (authtoken) against the given
 * Keystone, checking every token there.
 */
export async function startGlance(dir: string, mode: 'trusted' | 'noauth' | { keystone: { url: string; password: string } }): Promise<GlanceServer> {
  for (const d of ['images', 'staging', 'tasks', 'lock']) await mkdir(join(dir, d), { recursive: true });
  const paste = join(dir, 'glance-api-paste.ini');
  await copyFile('/etc/glance/glance-api-paste.ini', paste);
  await writeFile(paste, `${await readFile(paste, 'utf8')}
[pipeline:glance-api-trusted]
pipeline = cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler context rootapp
`);
  const port = await freePort();
  const flavor = mode === 'trusted' ? 'trusted' : mode === 'noauth' ? '' : 'keystone';
  const authtoken = typeof mode === 'object' ? `[keystone_authtoken]
www_authenticate_uri = ${mode.keystone.url}
auth_url = ${mode.keystone.url}
auth_type = password
username = admin
password = ${mode.keystone.password}
project_name = admin
user_domain_name = Default
project_domain_name = Default
` : '';
  const conf = join(dir, 'glance-api.conf');
  await writeFile(conf, `[DEFAULT]
bind_host = 127.0.0.1
bind_port = ${port}
workers = 1
log_file = ${join(dir, 'glance-api.log')}
enabled_backends = fs:file
node_staging_uri = file://${join(dir, 'staging')}
[database]
connection = sqlite:///${join(dir, 'glance.sqlite')}
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = ${join(dir, 'images')}
[os_glance_staging_store]
filesystem_store_datadir = ${join(dir, 'staging')}
[os_glance_tasks_store]
filesystem_store_datadir = ${join(dir, 'tasks')}
[paste_deploy]
flavor = ${flavor}
config_file = ${paste}
[oslo_concurrency]
lock_path = ${join(dir, 'lock')}
[oslo_policy]
enforce_new_defaults = false
enforce_scope = false
${authtoken}`);
  await runTool(['glance-manage', '--config-file', conf, 'db_sync']);
  const endpoint = `http://127.0.0.1:${port}`;
  const server = await startServer(['glance-api', '--config-file', conf], join(dir, 'stdout.log'), async () => (await fetch(`${endpoint}/versions`)).status === 200);
  return { ...server, endpoint, port };
}
