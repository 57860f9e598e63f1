import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readCredentialsDocument } from '../../sdk/provider-documents.js';

/** A service account, from its JSON key. */
export interface ServiceAccount {
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId?: string;
  projectId?: string;
  tokenUri: string;
  /** Every credential value that must never be shown (scrubbed from messages). */
  secrets: string[];
}

export const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;
/** Values of a key file that identify rather than authenticate: shown as provider_account_identifier and in image paths. */
const NOT_SECRET = new Set(['type', 'client_email', 'project_id', 'universe_domain']);

/**
 * Reads a service-account key: the JSON file the Cloud Console downloads (object or text,
 * optionally wrapped as {"gce_credentials": {...}}), or the original's XML form
 * `<provider_credentials><gce_credentials><client_email/><private_key/>...</gce_credentials></provider_credentials>`.
 * Problems name the field, never its value.
 */
export function readServiceAccount(credentials: unknown): { account?: ServiceAccount; problems: string[] } {
  const read = readCredentialsDocument(credentials, 'gce');
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const problems: string[] = [];
  if (f.type !== undefined && f.type !== 'service_account') problems.push('type must be service_account (a service-account key; user credentials cannot push)');
  if (!f.client_email) problems.push('client_email is required');
  else if (!EMAIL_RE.test(f.client_email)) problems.push('client_email is not an e-mail address');
  let privateKey: KeyObject | undefined;
  if (!f.private_key) problems.push('private_key is required');
  else {
    try {
      privateKey = createPrivateKey({ key: f.private_key, format: 'pem' });
      if (privateKey.asymmetricKeyType !== 'rsa') { problems.push('private_key must be an RSA key'); privateKey = undefined; }
    } catch { problems.push('private_key is not a PEM private key'); }
  }
  const tokenUri = f.token_uri || DEFAULT_TOKEN_URI;
  try {
    const u = new URL(tokenUri);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    // Plain http only to this machine: anything else would send the signed assertion in clear text.
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) problems.push('token_uri must be an https URL');
  } catch { problems.push('token_uri is not a URL'); }
  if (problems.length || !privateKey) return { problems };
  const secrets = Object.entries(f).filter(([k, v]) => !NOT_SECRET.has(k) && v.length >= 4).map(([, v]) => v);
  // The key's PEM body lines too, in case a message ever quotes part of it.
  for (const line of f.private_key.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) secrets.push(line);
  return {
    account: { clientEmail: f.client_email, privateKey, privateKeyId: f.private_key_id || undefined, projectId: f.project_id || undefined, tokenUri, secrets },
    problems,
  };
}
