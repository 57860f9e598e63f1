import { chmod, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../domain/errors.js';
import { runTool } from './exec.js';

export interface TlsMaterial { key: string; cert: string; pemPath: string }

/**
 * The certificate for HTTPS: `--ssl_pem FILE` (key + certificate in one PEM), or with "*" a
 * self-signed one generated on first start and kept in <data_dir>/tls so clients can pin it.
 */
export async function loadTlsMaterial(sslPem: string, dataDir: string): Promise<TlsMaterial> {
  const pemPath = sslPem === '*' ? join(dataDir, 'tls', 'imagefactoryd.pem') : sslPem;
  if (sslPem === '*' && !(await stat(pemPath).catch(() => undefined))) await generateSelfSigned(pemPath);
  let text: string;
  try {
    text = await readFile(pemPath, 'utf8');
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `ssl_pem: cannot read ${pemPath}: ${(e as Error).message}`);
  }
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(text)?.[0];
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!key || !certs) throw new AppError('CONFIG_INVALID', `ssl_pem: ${pemPath} must contain a private key and a certificate`);
  return { key: `${key}\n`, cert: `${certs.join('\n')}\n`, pemPath };
}

async function generateSelfSigned(pemPath: string): Promise<void> {
  await mkdir(join(pemPath, '..'), { recursive: true, mode: 0o700 });
  const keyPath = `${pemPath}.key.tmp`;
  const certPath = `${pemPath}.crt.tmp`;
  const host = hostname();
  await runTool([
    'openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-sha256',
    '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${host}/O=imagefactoryd`,
    '-addext', `subjectAltName=DNS:${host},DNS:localhost,IP:127.0.0.1,IP:::1`,
  ]);
  const pem = (await readFile(keyPath, 'utf8')) + (await readFile(certPath, 'utf8'));
  const { writeFile, rm } = await import('node:fs/promises');
  await writeFile(`${pemPath}.tmp`, pem, { mode: 0o600 });
  await chmod(`${pemPath}.tmp`, 0o600);
  await rename(`${pemPath}.tmp`, pemPath);
  await rm(keyPath, { force: true });
  await rm(certPath, { force: true });
}
