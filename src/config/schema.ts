/**
 * Every configuration key in one table: type, default, CLI flag and doc line (mkosi's SETTINGS idea).
 * Keys are Image Factory's (imagefactory-api.md §9.2) plus ours. Precedence: defaults < JSON file <
 * environment (IMAGEFACTORY_<KEY>) < command-line flags. Unknown file keys are kept (the original makes
 * every file key a config key) but do not affect anything.
 */

export type ConfigType = 'boolean' | 'integer' | 'string' | 'object' | 'array';

export interface ConfigKey {
  type: ConfigType;
  default: unknown;
  /** Command-line flag; keys without one are file/env only. */
  flag?: string;
  /** Extra flag spellings that set the same key (the original's dashed ec2 flags). */
  aliases?: string[];
  doc: string;
  /** Never logged or shown (values are replaced by "REDACTED"). */
  secret?: boolean;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Further check of a string value: returns the problem, or undefined when the value is fine. */
  check?: (value: string) => string | undefined;
}

export const CONFIG_SCHEMA = {
  debug: { type: 'boolean', default: false, flag: '--debug', doc: 'Debug logging (requests, build steps; bodies and credentials are never logged).' },
  verbose: { type: 'boolean', default: false, flag: '--verbose', doc: 'Informational logging.' },
  config: { type: 'string', default: '/etc/imagefactory/imagefactory.conf', flag: '--config', doc: 'JSON configuration file; a missing default file is fine, a missing named file is an error.' },
  data_dir: { type: 'string', default: '/var/lib/imagefactory', flag: '--data_dir', doc: 'Directory holding all state: database, image files, certificate, caches, logs.' },
  imgdir: { type: 'string', default: '', flag: '--imgdir', doc: 'Scratch space for builds (default <data_dir>/images).' },
  tmpdir: { type: 'string', default: '', flag: '--tmpdir', doc: 'Temporary files of tools, exported as TMPDIR (default <data_dir>/tmp).' },
  timeout: { type: 'integer', default: 3600, flag: '--timeout', min: 60, doc: 'Longest time in seconds a single build step (install, conversion, push) may take.' },
  plugins: { type: 'string', default: '/etc/imagefactory/plugins.d', flag: '--plugins', doc: 'Kept for compatibility; plugins are built in and listed at /imagefactory/plugins.' },
  foreground: { type: 'boolean', default: false, flag: '--foreground', doc: 'Stay in the foreground and log to stderr (otherwise all output goes to <data_dir>/log/imagefactoryd.log).' },
  port: { type: 'integer', default: 8075, flag: '--port', min: 0, max: 65535, doc: 'TCP port.' },
  address: { type: 'string', default: '0.0.0.0', flag: '--address', doc: 'Address to listen on.' },
  no_ssl: { type: 'boolean', default: false, flag: '--no_ssl', doc: 'Serve plain HTTP instead of HTTPS.' },
  ssl_pem: { type: 'string', default: '*', flag: '--ssl_pem', doc: 'PEM file with key and certificate; "*" = a self-signed certificate generated once and kept in <data_dir>/tls. The certificate alone is published as <data_dir>/tls/imagefactoryd.crt for clients to pin.' },
  no_oauth: { type: 'boolean', default: false, flag: '--no_oauth', doc: 'Disable two-legged OAuth.' },
  secondary: { type: 'boolean', default: false, flag: '--secondary', doc: 'Secondary-factory mode of the original; not supported (start-up refuses it).' },
  ec2_32bit_util: { type: 'string', default: 'm1.small', flag: '--ec2-32bit-util', doc: 'EC2 utility instance type for 32-bit builds (file key ec2-32bit-util also accepted).' },
  ec2_64bit_util: { type: 'string', default: 't2.micro', flag: '--ec2-64bit-util', doc: 'EC2 utility instance type for 64-bit builds (file key ec2-64bit-util also accepted).' },
  clients: { type: 'object', default: {}, secret: true, doc: 'OAuth consumers: {"key": "secret"}.' },
  dashboard_users: { type: 'object', default: {}, secret: true, doc: 'Web dashboard log-ins {"login": "password"} besides the OAuth consumers (who log in with key and secret); unused with --no_oauth, where the dashboard is as open as the API.' },
  oauth_open_reads: { type: 'boolean', default: false, doc: 'Let GET/HEAD requests through without OAuth (the documentation\'s prose); default protects them as the original code does.' },
  image_manager: { type: 'string', default: 'sqlite', values: ['sqlite', 'file'], doc: 'Image metadata store; "file" (the original\'s) is accepted and means the embedded SQLite store.' },
  image_manager_args: { type: 'object', default: {}, doc: 'Arguments of the image store (e.g. {"storage_path": "..."} for image bodies).' },
  jeos_config: { type: 'array', default: [], doc: 'Files or directories of JEOS lines target:provider:os:version:arch:image_id[:user[:cmd_prefix]].' },
  tdl_require_root_pw: { type: 'boolean', default: false, doc: 'Reject templates without <rootpw>.' },
  max_concurrent_local_sessions: { type: 'integer', default: 2, min: 1, max: 64, doc: 'Builds running at once; further builds wait as PENDING.' },
  max_concurrent_ec2_sessions: { type: 'integer', default: 4, min: 1, max: 64, doc: 'Pushes to providers running at once.' },
  ec2_ami_type: { type: 'string', default: 'ebs', values: ['ebs', 's3'], doc: 'Accepted for compatibility: EC2 pushes always make EBS-backed AMIs (parameter ec2_upload picks how the snapshot is made).' },
  ec2_image_format: { type: 'string', default: 'raw', values: ['raw'], doc: 'EC2 target image format.' },
  rhevm_image_format: { type: 'string', default: 'qcow2', values: ['qcow2', 'raw'], doc: 'RHEV-M target image format.' },
  openstack_image_format: { type: 'string', default: 'qcow2', values: ['qcow2', 'raw'], doc: 'OpenStack target image format.' },
  proxy_ami_id: { type: 'string', default: '', doc: 'Unused (kept for compatibility).' },
  max_body_bytes: { type: 'integer', default: 4 * 1024 * 1024, min: 1024, doc: 'Largest request body accepted; larger ones get 413.' },
  template_fetch_max_bytes: { type: 'integer', default: 1024 * 1024, min: 1024, doc: 'Largest template fetched from an http(s) URL.' },
  fetch_timeout: { type: 'integer', default: 15, min: 1, max: 3600, doc: 'Overall limit in seconds for fetching a template from an http(s) URL: connection, headers and the whole body (a server that drips bytes is cut off); past it the POST is a 400.' },
  callback_secret: { type: 'string', default: '', secret: true, doc: 'When set, callbacks carry X-ImageFactory-Signature: sha256=HMAC-SHA256(secret, body).' },
  callback_retries: { type: 'integer', default: 4, min: 0, max: 20, doc: 'Retries of a failed callback, with exponential backoff.' },
  callback_timeout: { type: 'integer', default: 10, min: 1, doc: 'Seconds a callback request may take in all (connection, headers and body), per attempt.' },
  boot_test: { type: 'boolean', default: true, doc: 'Boot every base image under QEMU before it is COMPLETE (parameter boot_test overrides per image).' },
  build_cache: { type: 'boolean', default: true, doc: 'Reuse a COMPLETE base image built from the same template (parameter build_cache overrides per image).' },
  cache_max_bytes: { type: 'integer', default: 20 * 1024 * 1024 * 1024, min: 0, doc: 'Size limit of the package download cache and the base layers; least recently used files are removed past it.' },
  nova_tokens: { type: 'object', default: {}, secret: true, doc: 'Catalog Nova API: {"token": "project_id"} accepted in X-Auth-Token; empty = no authentication (Nova noauth2 style, any token, any project).' },
  foreman_users: { type: 'object', default: {}, secret: true, doc: 'Catalog Foreman API: HTTP Basic users {"login": "password"}; empty = every request is refused (401).' },
  hostway_users: { type: 'object', default: {}, secret: true, doc: 'Catalog Hostway API: HTTP Basic users {"login": "password"}; empty = every request is refused (401).' },
  catalog_delete_credentials: { type: 'object', default: {}, secret: true, doc: 'Credentials used when a catalog API deletes a provider image: {"<provider or target>": credentials}; without an entry such deletes are refused (403).' },
  glance_link_prefix: { type: 'string', default: '', doc: 'Scheme/host/path prefix of the Nova images "alternate" link (default: the request\'s own origin).' },
  compute_link_prefix: { type: 'string', default: '', doc: 'Scheme/host/path prefix of Nova self/bookmark links (default: the request\'s own origin).' },
  import_max_bytes: { type: 'integer', default: 64 * 1024 * 1024 * 1024, min: 1024, doc: 'Largest disk upload accepted by POST /imagefactory/base_images/import (streamed to the scratch directory, never held in memory); larger ones get 413.' },
  import_max_virtual_bytes: { type: 'integer', default: 2 * 1024 * 1024 * 1024 * 1024, min: 1024 * 1024, doc: 'Largest virtual disk size of an imported image (a small qcow2 can claim a huge disk); larger ones get 413.' },
  credentials_file: { type: 'string', default: '', flag: '--credentials_file', doc: 'JSON file of named credential sets ({"prod-aws": {...}}) that provider images name as {"ref": "prod-aws"}; must be owned by the daemon user with mode 0600 (default <data_dir>/credentials.json when it exists). Sets can also come from IMAGEFACTORY_CREDENTIAL_SET_<NAME> environment variables.' },
  fuse_edits: { type: 'boolean', default: true, doc: 'Make target images\' in-image edits in a qcow2 overlay shown through a FUSE export (no copy of the base disk); off, or where FUSE is unavailable, a sparse copy is edited instead.' },
  database_url: { type: 'string', default: '', flag: '--database_url', check: checkDatabaseUrl, doc: 'Image and catalog metadata database: empty = the embedded SQLite file <data_dir>/imagefactory.sqlite; postgres://user:password@host:port/db = a PostgreSQL database that several daemons and workers may share (the password is never logged). IMAGEFACTORY_DATABASE_URL in the environment works too.' },
  artifact_store: { type: 'string', default: '', flag: '--artifact_store', check: checkArtifactStore, doc: 'Where image files live: empty = <data_dir>/storage (or image_manager_args.storage_path); s3://bucket/prefix = an S3-compatible object store (see the s3_* keys; the bucket must exist), with working copies under <data_dir>.' },
  s3_endpoint: { type: 'string', default: '', doc: 'S3 endpoint URL for an s3:// artifact_store (empty = AWS); path-style addressing is used when it is set.' },
  s3_region: { type: 'string', default: 'us-east-1', doc: 'S3 region for an s3:// artifact_store.' },
  s3_access_key_id: { type: 'string', default: '', doc: 'S3 access key id; empty = the AWS SDK default chain (AWS_ACCESS_KEY_ID, shared config files...).' },
  s3_secret_access_key: { type: 'string', default: '', secret: true, doc: 'S3 secret access key (with s3_access_key_id).' },
  build_mode: { type: 'string', default: 'local', flag: '--build_mode', values: ['local', 'queue'], doc: 'local = the daemon runs builds itself (the default); queue = builds are jobs in the PostgreSQL database_url, run by `imagefactory worker` processes (the daemon builds nothing).' },
  worker_concurrency: { type: 'integer', default: 1, flag: '--worker_concurrency', min: 1, max: 64, doc: 'Builds one `imagefactory worker` runs at once.' },
  worker_id: { type: 'string', default: '', flag: '--worker_id', doc: 'Name of an `imagefactory worker` in `imagefactory workers` (default <hostname>-<pid>).' },
  worker_grace_seconds: { type: 'integer', default: 300, min: 0, doc: 'On SIGTERM a worker takes no more jobs and lets running builds finish for this long, then stops them and hands them back to the queue.' },
  job_lease_seconds: { type: 'integer', default: 60, min: 2, max: 3600, doc: 'Queue mode: a worker renews the lease of its job every quarter of this; a job whose worker died is retried by another after this long.' },
  job_max_attempts: { type: 'integer', default: 3, min: 1, max: 20, doc: 'Queue mode: attempts per build job, counting retries after transient failures and expired leases.' },
  job_retry_delay_seconds: { type: 'integer', default: 30, min: 1, doc: 'Queue mode: delay before the first retry of a job; it doubles (with jitter) for each further one.' },
  metrics: { type: 'boolean', default: true, doc: 'Serve Prometheus metrics at GET /metrics (builds, step durations, queue, pushes, HTTP requests, cache, disk usage).' },
  metrics_users: { type: 'object', default: {}, secret: true, doc: 'HTTP Basic users allowed to read /metrics: {"login": "password"}; with neither this nor metrics_token set, /metrics is open.' },
  metrics_token: { type: 'string', default: '', secret: true, doc: 'Bearer token allowed to read /metrics (Authorization: Bearer <token>, Prometheus\' `authorization` scrape setting).' },
} as const satisfies Record<string, ConfigKey>;

function checkDatabaseUrl(v: string): string | undefined {
  if (v === '' || /^postgres(ql)?:\/\/[^/?#]+\/[^/?#]+/.test(v)) return undefined;
  return 'expected empty (the embedded SQLite database) or postgres://[user[:password]@]host[:port]/database';
}

function checkArtifactStore(v: string): string | undefined {
  if (v === '' || v.startsWith('/') || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v)) return undefined;
  return 'expected empty (<data_dir>/storage), an absolute directory, or s3://bucket[/prefix]';
}

export type ConfigName = keyof typeof CONFIG_SCHEMA;

type TypeOf<T extends ConfigType> = T extends 'boolean' ? boolean
  : T extends 'integer' ? number
  : T extends 'string' ? string
  : T extends 'object' ? Record<string, unknown>
  : unknown[];

/** The validated, frozen configuration. Extra file keys live in `extra`. */
export type Config = { readonly [K in ConfigName]: TypeOf<(typeof CONFIG_SCHEMA)[K]['type']> } & {
  readonly extra: Readonly<Record<string, unknown>>;
};

/** Dashed file keys of the original that map to our underscore keys (D40). */
export const FILE_KEY_ALIASES: Record<string, ConfigName> = {
  'ec2-32bit-util': 'ec2_32bit_util',
  'ec2-64bit-util': 'ec2_64bit_util',
};
