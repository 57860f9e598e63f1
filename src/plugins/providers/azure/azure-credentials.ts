import { readCredentialsDocument } from '../../sdk/provider-documents.js';

/** How the page blob is written: the account's shared key, or a SAS token with create/write/read/delete rights. */
export type BlobAuth = { kind: 'key'; accountKey: string } | { kind: 'sas'; sasToken: string };

/** A service principal for Azure Resource Manager, plus the storage account's key or a SAS for the blob. */
export interface AzureCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  blob: BlobAuth;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A tenant is a GUID or a verified domain (contoso.onmicrosoft.com).
const TENANT = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)$/;

/**
 * Reads `{"tenant_id", "client_id", "client_secret", "storage_account_key" | "storage_sas"}` from
 * JSON or `<provider_credentials><azure_credentials>…</azure_credentials></provider_credentials>`.
 * Problems name the field, never its value.
 */
export function readAzureCredentials(credentials: unknown): { credentials?: AzureCredentials; problems: string[] } {
  const read = readCredentialsDocument(credentials ?? {}, 'azure');
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const problems: string[] = [];
  const tenantId = f.tenant_id?.trim() ?? '';
  const clientId = f.client_id?.trim() ?? '';
  const clientSecret = f.client_secret ?? '';
  if (!tenantId) problems.push('credentials field tenant_id is required');
  else if (!TENANT.test(tenantId)) problems.push('credentials field tenant_id must be a GUID or a domain name');
  if (!clientId) problems.push('credentials field client_id is required');
  else if (!GUID.test(clientId)) problems.push('credentials field client_id must be a GUID (the application id)');
  if (!clientSecret) problems.push('credentials field client_secret is required');
  const key = f.storage_account_key?.trim();
  const sas = f.storage_sas?.trim().replace(/^\?/, '');
  let blob: BlobAuth | undefined;
  if (key && sas) problems.push('give either storage_account_key or storage_sas, not both');
  else if (key) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) problems.push('credentials field storage_account_key must be the base64 account key');
    else blob = { kind: 'key', accountKey: key };
  } else if (sas) {
    const params = new URLSearchParams(sas);
    if (!params.get('sig') || !params.get('sv')) problems.push('credentials field storage_sas must be a SAS token (with sv= and sig=)');
    else blob = { kind: 'sas', sasToken: sas };
  } else problems.push('credentials need storage_account_key or storage_sas for the blob upload');
  if (problems.length || !blob) return { problems };
  return { credentials: { tenantId, clientId, clientSecret, blob }, problems };
}

/**
 * Every value of the credentials, for scrubbing error messages: the secrets, and the tenant and
 * client ids too (Entra ID quotes them in its errors; credentials are never shown, whatever the field).
 */
export function azureSecrets(c: AzureCredentials): string[] {
  const out = [c.clientSecret, c.tenantId, c.clientId];
  if (c.blob.kind === 'key') out.push(c.blob.accountKey);
  else out.push(c.blob.sasToken, new URLSearchParams(c.blob.sasToken).get('sig') ?? '');
  return out;
}
