import { readBoolean, readProviderDocument } from '../../sdk/provider-documents.js';

/** The Glance endpoint and the image metadata a provider value asks for. */
export interface GlanceProvider {
  /** http://host:port (https when glance-host is given as an https:// URL or glance-ssl is true). */
  endpoint: string;
  name?: string;
  visibility?: 'public' | 'private';
  minDisk?: number;
  minRam?: number;
  containerFormat: string;
  diskFormat?: string;
}

const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])$/;

/**
 * Reads `{"glance-host", "glance-port", name, is_public, min_disk, min_ram, container_format,
 * disk_format}` from JSON or from an XML element's attributes (`<provider glance-host=".."/>`).
 * Defaults are the original's: 127.0.0.1 and 9292.
 */
export function readGlanceProvider(provider: unknown): { provider?: GlanceProvider; problems: string[] } {
  if (typeof provider === 'string' && !/^\s*[{<]/.test(provider)) {
    return { problems: ['the provider must be a JSON object or an XML element with glance-host and glance-port attributes'] };
  }
  const read = readProviderDocument(provider);
  if (read.problem !== undefined) return { problems: [read.problem] };
  const f = read.fields;
  const problems: string[] = [];
  let endpoint: string | undefined;
  const host = f['glance-host'] ?? f.glance_host ?? '127.0.0.1';
  const portText = f['glance-port'] ?? f.glance_port;
  const port = portText === undefined ? 9292 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push('glance-port must be a port number');
  if (/^https?:\/\//i.test(host)) {
    try {
      const u = new URL(host);
      if (portText !== undefined && !u.port) u.port = String(port);
      endpoint = u.origin;
    } catch { problems.push('glance-host is not a valid URL'); }
  } else if (!HOST_RE.test(host)) {
    problems.push(`invalid glance-host "${host}"`);
  } else {
    endpoint = `${readBoolean(f['glance-ssl']) ? 'https' : 'http'}://${host}:${port}`;
  }
  const isPublic = readBoolean(f.is_public);
  if (f.is_public !== undefined && isPublic === undefined) problems.push('is_public must be true or false');
  const minDisk = optionalCount(f.min_disk, 'min_disk', problems);
  const minRam = optionalCount(f.min_ram, 'min_ram', problems);
  const containerFormat = f.container_format ?? 'bare';
  if (!CONTAINER_FORMATS.includes(containerFormat)) problems.push(`container_format must be one of ${CONTAINER_FORMATS.join(', ')}`);
  if (f.disk_format !== undefined && !DISK_FORMATS.includes(f.disk_format)) problems.push(`disk_format must be one of ${DISK_FORMATS.join(', ')}`);
  if (problems.length || !endpoint) return { problems };
  return {
    provider: {
      endpoint, name: f.name || undefined, visibility: isPublic === undefined ? undefined : isPublic ? 'public' : 'private',
      minDisk, minRam, containerFormat, diskFormat: f.disk_format,
    },
    problems,
  };
}

function optionalCount(v: string | undefined, name: string, problems: string[]): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) { problems.push(`${name} must be a whole number`); return undefined; }
  return n;
}
