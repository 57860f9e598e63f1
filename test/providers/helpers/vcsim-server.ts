import { connect } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../../src/platform/exec.js';
import { freePort } from './free-port.js';
import { startServer, type ServerProcess } from './server-process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** VMware's vCenter simulator (tools/vcsimlite, built from Debian's govmomi) on 127.0.0.1. */
export interface VcsimServer extends ServerProcess {
  /** https://127.0.0.1:PORT/sdk */
  sdkUrl: string;
  /** SHA-1 fingerprint of its self-signed certificate (what vSphere calls the thumbprint). */
  thumbprint: string;
  /** Its log: one line per NFC transfer, e.g. `nfc POST …/disk-0.vmdk: transferred N bytes`. */
  log(): Promise<string>;
}

/** Builds .bin/vcsimlite if needed (tools/vcsimlite/build.sh: offline, ~30 s the first time). */
export async function buildVcsim(): Promise<string> {
  const r = await runTool([join(ROOT, 'tools/vcsimlite/build.sh')], { onLine: () => undefined });
  if (r.code !== 0) throw new Error(`building vcsimlite failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

/** `login`: the only user and password vcsim accepts (default user / pass). */
export async function startVcsim(dir: string, login: { username: string; password: string } = { username: 'user', password: 'pass' }): Promise<VcsimServer> {
  const bin = await buildVcsim();
  const port = await freePort();
  const logFile = join(dir, 'vcsim.log');
  const server = await startServer([bin, '-l', `127.0.0.1:${port}`, '-username', login.username, '-password', login.password], logFile, async () => (await peerFingerprint(port)) !== '', 60_000);
  return {
    ...server,
    sdkUrl: `https://127.0.0.1:${port}/sdk`,
    thumbprint: await peerFingerprint(port),
    log: () => readFile(logFile, 'utf8'),
  };
}

function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint ?? '';
      s.destroy();
      resolve(fp);
    });
    s.once('error', () => resolve(''));
  });
}
