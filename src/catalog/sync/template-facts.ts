import { XMLParser } from 'fast-xml-parser';

/** What the catalog shows from a TDL: image name, OS, architecture and disk size. */
export interface TemplateFacts {
  name: string | null;
  osName: string | null;
  osVersion: string | null;
  arch: string | null;
  /** GiB from <disk><size>, or null. */
  diskGiB: number | null;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/**
 * Reads the facts leniently: templates in the store were validated when the image was created, and a
 * display field must never make the sync fail, so anything unreadable becomes null.
 */
export function templateFacts(xml: string | null): TemplateFacts {
  const none: TemplateFacts = { name: null, osName: null, osVersion: null, arch: null, diskGiB: null };
  if (!xml) return none;
  let doc: Record<string, any>;
  try {
    doc = parser.parse(xml);
  } catch {
    return none;
  }
  const t = doc?.template;
  if (!t || typeof t !== 'object') return none;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return {
    name: text(t.name),
    osName: text(t.os?.name),
    osVersion: text(t.os?.version),
    arch: text(t.os?.arch),
    diskGiB: diskGiB(text(t.disk?.size)),
  };
}

/** TDL disk sizes are a number with an optional G/GB/T/TB suffix (default unit GiB). */
function diskGiB(size: string | null): number | null {
  const m = size?.match(/^(\d+)\s*(G|GB|T|TB)?$/i);
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] && m[2][0].toUpperCase() === 'T' ? n * 1024 : n;
}
