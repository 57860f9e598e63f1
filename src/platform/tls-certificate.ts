import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../domain/errors.js';
import { runTool } from './exec.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** The PEM holding the private key (mode 0600): never give this file to clients. */
  pemPath: string;
  /** The certificate alone (no key), for clients to pin: <data_dir>/tls/imagefactoryd.crt. */
  certPath: string;
}

/**
 * The certificate for HTTPS: `--ssl_pem FILE` (key + certificate in one PEM), or with "*" a
 * self-signed one generated on first start and kept in <data_dir>/tls. Either way the certificate
 * alone is published as <data_dir>/tls/imagefactoryd.crt, so pinning it never means handing out
 * the private key.
 */
export async function loadTlsMaterial(sslPem: string, dataDir: string): Promise<TlsMaterial> {
  const tlsDir = join(dataDir, 'tls');
  const pemPath = sslPem === '*' ? join(tlsDir, 'imagefactoryd.pem') : sslPem;
  if (sslPem === '*') {
    if (!(await stat(pemPath).catch(() => undefined))) await generateSelfSigned(pemPath);
    else await chmod(pemPath, 0o600); // a key file left readable by an older version
  }
  let text: string;
  try {
    text = await readFile(pemPath, 'utf8');
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `ssl_pem: cannot read ${pemPath}: ${(e as Error).message}`);
  }
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(text)?.[0];
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!key || !certs) throw new AppError('CONFIG_INVALID', `ssl_pem: ${pemPath} must contain a private key and a certificate`);
  const cert = `${certs.join('\n')}\n`;
  const certPath = join(tlsDir, 'imagefactoryd.crt');
  await publishCertificate(certPath, cert);
  return { key: `${key}\n`, cert, pemPath, certPath };
}

/** Written at every start (atomically), so it always matches the certificate being served. */
async function publishCertificate(certPath: string, cert: string): Promise<void> {
  await mkdir(join(certPath, '..'), { recursive: true, mode: 0o755 });
  if ((await readFile(certPath, 'utf8').catch(() => undefined)) === cert) return;
  await writeFile(`${certPath}.tmp`, cert, { mode: 0o644 });
  await chmod(`${certPath}.tmp`, 0o644);
  await rename(`${certPath}.tmp`, certPath);
}

async function generateSelfSigned(pemPath: string): Promise<void> {
  await mkdir(join(pemPath, '..'), { recursive: true, mode: 0o755 });
  const keyPath = `${pemPath}.key.tmp`;
  const certPath = `${pemPath}.crt.tmp`;
  const host = hostname();
  await runTool([
    'openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-sha256',
    '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${host}/O=imagefactoryd`,
    '-addext', `subjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1,IP:::1`,
  ]);
  const pem = (await readFile(keyPath, 'utf8')) + (await readFile(certPath, 'utf8'));
  await writeFile(`${pemPath}.tmp`, pem, { mode: 0o600 });
  await chmod(`${pemPath}.tmp`, 0o600);
  await rename(`${pemPath}.tmp`, pemPath);
  await rm(keyPath, { force: true });
  await rm(certPath, { force: true });
}
