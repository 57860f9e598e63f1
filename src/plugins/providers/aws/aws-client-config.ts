import type { AwsCredentials } from './aws-credentials.js';

/**
 * The configuration every AWS SDK client of a push shares. The SDK retries transient failures
 * itself (standard mode: 5xx, throttling, network errors, with backoff); when no endpoint is given
 * the SDK's own resolution applies, including the standard AWS_ENDPOINT_URL[_<SERVICE>] variables
 * of the daemon's environment.
 */
export function awsClientConfig(region: string, credentials: AwsCredentials, endpoint?: string) {
  return {
    region,
    endpoint,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    maxAttempts: 3,
    retryMode: 'standard' as const,
    // Never a shared profile's credentials or settings: only what the request carried.
    logger: undefined,
  };
}
