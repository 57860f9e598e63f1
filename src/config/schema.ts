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
  foreground: { type: 'boolean', default: false, flag: '--foreground', doc: 'Stay in the foreground and log to stderr (otherwise log to <data_dir>/log/imagefactoryd.log).' },
  port: { type: 'integer', default: 8075, flag: '--port', min: 0, max: 65535, doc: 'TCP port.' },
  address: { type: 'string', default: '0.0.0.0', flag: '--address', doc: 'Address to listen on.' },
  no_ssl: { type: 'boolean', default: false, flag: '--no_ssl', doc: 'Serve plain HTTP instead of HTTPS.' },
  ssl_pem: { type: 'string', default: '*', flag: '--ssl_pem', doc: 'PEM file with key and certificate; "*" = a self-signed certificate generated once and kept in <data_dir>/tls.' },
  no_oauth: { type: 'boolean', default: false, flag: '--no_oauth', doc: 'Disable two-legged OAuth.' },
  secondary: { type: 'boolean', default: false, flag: '--secondary', doc: 'Secondary-factory mode of the original; not supported (start-up refuses it).' },
  ec2_32bit_util: { type: 'string', default: 'm1.small', flag: '--ec2-32bit-util', doc: 'EC2 utility instance type for 32-bit builds (file key ec2-32bit-util also accepted).' },
  ec2_64bit_util: { type: 'string', default: 't2.micro', flag: '--ec2-64bit-util', doc: 'EC2 utility instance type for 64-bit builds (file key ec2-64bit-util also accepted).' },
  clients: { type: 'object', default: {}, secret: true, doc: 'OAuth consumers: {"key": "secret"}.' },
  oauth_open_reads: { type: 'boolean', default: false, doc: 'Let GET/HEAD requests through without OAuth (the documentation\'s prose); default protects them as the original code does.' },
  image_manager: { type: 'string', default: 'sqlite', values: ['sqlite', 'file'], doc: 'Image metadata store; "file" (the original\'s) is accepted and means the embedded SQLite store.' },
  image_manager_args: { type: 'object', default: {}, doc: 'Arguments of the image store (e.g. {"storage_path": "..."} for image bodies).' },
  jeos_config: { type: 'array', default: [], doc: 'Files or directories of JEOS lines target:provider:os:version:arch:image_id[:user[:cmd_prefix]].' },
  tdl_require_root_pw: { type: 'boolean', default: false, doc: 'Reject templates without <rootpw>.' },
  max_concurrent_local_sessions: { type: 'integer', default: 2, min: 1, max: 64, doc: 'Builds running at once; further builds wait as PENDING.' },
  max_concurrent_ec2_sessions: { type: 'integer', default: 4, min: 1, max: 64, doc: 'Pushes to providers running at once.' },
  ec2_ami_type: { type: 'string', default: 'ebs', values: ['ebs', 's3'], doc: 'EC2 AMI type.' },
  ec2_image_format: { type: 'string', default: 'raw', values: ['raw'], doc: 'EC2 target image format.' },
  rhevm_image_format: { type: 'string', default: 'qcow2', values: ['qcow2', 'raw'], doc: 'RHEV-M target image format.' },
  openstack_image_format: { type: 'string', default: 'qcow2', values: ['qcow2', 'raw'], doc: 'OpenStack target image format.' },
  proxy_ami_id: { type: 'string', default: '', doc: 'Unused (kept for compatibility).' },
  max_body_bytes: { type: 'integer', default: 4 * 1024 * 1024, min: 1024, doc: 'Largest request body accepted; larger ones get 413.' },
  template_fetch_max_bytes: { type: 'integer', default: 1024 * 1024, min: 1024, doc: 'Largest template fetched from an http(s) URL.' },
  callback_secret: { type: 'string', default: '', secret: true, doc: 'When set, callbacks carry X-ImageFactory-Signature: sha256=HMAC-SHA256(secret, body).' },
  callback_retries: { type: 'integer', default: 4, min: 0, max: 20, doc: 'Retries of a failed callback, with exponential backoff.' },
  callback_timeout: { type: 'integer', default: 10, min: 1, doc: 'Seconds a callback request may take.' },
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
} as const satisfies Record<string, ConfigKey>;

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
