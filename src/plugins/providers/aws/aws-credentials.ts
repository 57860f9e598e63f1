import { readCredentialsDocument } from '../../sdk/provider-documents.js';

/** AWS credentials as the SDK takes them, plus the account number the original's XML carried. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** 12 digits, when the credentials named one (`account_number`). */
  accountNumber?: string;
}

/** The names clients use for each field: the original's XML, boto/CLI style, the SDK's own. */
const ALIASES: Record<keyof AwsCredentials, string[]> = {
  accessKeyId: ['access_key', 'access_key_id', 'aws_access_key_id', 'accessKeyId', 'AccessKeyId'],
  secretAccessKey: ['secret_access_key', 'secret_key', 'aws_secret_access_key', 'secretAccessKey', 'SecretAccessKey'],
  sessionToken: ['session_token', 'aws_session_token', 'sessionToken', 'SessionToken', 'token'],
  accountNumber: ['account_number', 'account_id', 'accountId', 'AccountId'],
};

/**
 * Reads `<provider_credentials><ec2_credentials><account_number/><access_key/><secret_access_key/>
 * [<certificate/><key/>]</ec2_credentials></provider_credentials>` or the same as JSON
 * (`{"access_key_id", "secret_access_key", "session_token"}` and the other usual spellings).
 * The X.509 certificate and key of the original's S3 bundles are accepted and not used.
 * Problems name fields, never values.
 */
export function readAwsCredentials(credentials: unknown, kind = 'ec2'): { credentials?: AwsCredentials; problems: string[] } {
  const read = readCredentialsDocument(credentials, kind);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const pick = (name: keyof AwsCredentials) => {
    for (const alias of ALIASES[name]) {
      const v = read.fields[alias];
      if (v !== undefined && v.trim() !== '') return v.trim();
    }
    return undefined;
  };
  const problems: string[] = [];
  const accessKeyId = pick('accessKeyId');
  const secretAccessKey = pick('secretAccessKey');
  const sessionToken = pick('sessionToken');
  let accountNumber = pick('accountNumber');
  if (!accessKeyId) problems.push('the credentials need access_key (the AWS access key id)');
  else if (/\s/.test(accessKeyId) || accessKeyId.length > 128) problems.push('access_key is not an AWS access key id (no spaces, at most 128 characters)');
  if (!secretAccessKey) problems.push('the credentials need secret_access_key');
  else if (/\s/.test(secretAccessKey)) problems.push('secret_access_key must not contain spaces');
  if (sessionToken !== undefined && /\s/.test(sessionToken)) problems.push('session_token must not contain spaces');
  if (accountNumber !== undefined) {
    // The original's documentation writes account numbers as 1234-5678-9012.
    const digits = accountNumber.replace(/[-\s]/g, '');
    if (!/^\d{12}$/.test(digits)) problems.push('account_number must be the 12-digit AWS account number');
    else accountNumber = digits;
  }
  if (problems.length) return { problems };
  return { credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, sessionToken, accountNumber }, problems };
}

/** Every value a failure message must never show. */
export function awsSecrets(c: AwsCredentials | undefined): string[] {
  return c ? [c.secretAccessKey, c.sessionToken ?? '', c.accessKeyId] : [];
}
