/** URL rules of the template language (what Oz fetches, and what it refuses for repositories). */
import { fail } from './tdl-schema.js';
import type { XmlPosition } from './xml-tree.js';

export interface UrlPolicy {
  /**
   * Whether file: URLs may be used where the build fetches content into the image (files and
   * commands of type url, ISO extras, repositories). Off by default: such a URL would copy files of
   * the build server into the image, and templates come from API clients.
   */
  allowFileUrls: boolean;
}

/** Hosts a repository may not use: the guest could never reach them (Oz TDL._add_repositories). */
const LOOPBACK_HOSTS = new Set(['localhost', 'localhost.localdomain', '127.0.0.1', '[::1]']);

export function parseAbsoluteUrl(at: XmlPosition, what: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    return fail('semantic', at, `${what}: "${value}" is not a valid absolute URL`);
  }
}

/** A URL the build downloads content from; `schemes` lists what is accepted besides file:. */
export function fetchableUrl(at: XmlPosition, what: string, value: string, schemes: readonly string[], policy: UrlPolicy): URL {
  const url = parseAbsoluteUrl(at, what, value);
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'file') {
    if (!policy.allowFileUrls) {
      fail('semantic', at, `${what}: file: URLs are not allowed (they would read files of the build server)`);
    }
  } else if (!schemes.includes(scheme)) {
    fail('semantic', at, `${what}: URL scheme "${scheme}" not supported (expected ${[...schemes, ...(policy.allowFileUrls ? ['file'] : [])].join(', ')})`);
  }
  return url;
}

/** A repository URL: any absolute URL whose host is reachable from the guest (not loopback). */
export function repositoryUrl(at: XmlPosition, value: string, policy: UrlPolicy): string {
  const url = parseAbsoluteUrl(at, 'element "url"', value);
  if (url.protocol === 'file:' && !policy.allowFileUrls) {
    fail('semantic', at, 'element "url": file: URLs are not allowed for repositories (they would read files of the build server)');
  }
  // WHATWG URL lowercases hosts and normalises IPv4 forms (127.1, 0x7f.0.0.1 → 127.0.0.1).
  const host = url.hostname;
  if (LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)) {
    fail('semantic', at, `element "url": repositories cannot be on localhost (${host}), since they must be reachable from the guest operating system`);
  }
  return value;
}

/** A relative path below some root (ISO extras destination, ...): no ".." segment may climb out. */
export function hasParentSegment(path: string): boolean {
  return path.split(/[\\/]+/).includes('..');
}
