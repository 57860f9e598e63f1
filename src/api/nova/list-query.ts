import type { NewestFirstFilter } from '../../catalog/store/image-repository.js';
import { NovaFault } from './faults.js';

/** Nova's `max_limit` (conf/api.py): the largest page, also used when no limit is given. */
export const MAX_LIMIT = 1000;

/** States Glance v2 lists: deleted and pending_delete images are never returned. */
export const NOVA_VISIBLE_STATES = ['queued', 'saving', 'active', 'killed'] as const;

export interface NovaListQuery {
  filter: NewestFirstFilter;
  limit: number;
  marker: string | undefined;
}

/** The last value of a query parameter (repeated parameters: the last one wins). */
export function param(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined ? undefined : String(v);
}

/** Parses list/detail query parameters (images.py SUPPORTED_FILTERS, common.get_pagination_params). */
export function parseListQuery(query: Record<string, unknown>): NovaListQuery {
  const filter: NewestFirstFilter = { states: [...NOVA_VISIBLE_STATES] };
  const name = param(query, 'name');
  if (name !== undefined) filter.name = name;
  const status = param(query, 'status');
  if (status !== undefined) {
    const wanted = status.toLowerCase();
    filter.states = (NOVA_VISIBLE_STATES as readonly string[]).includes(wanted) ? [wanted] : [];
  }
  const since = param(query, 'changes-since');
  if (since !== undefined) filter.updatedSince = parseTimestamp('changes-since', since);
  const minRam = param(query, 'minRam');
  if (minRam !== undefined) filter.minRam = integer('minRam', minRam);
  const minDisk = param(query, 'minDisk');
  if (minDisk !== undefined) filter.minDisk = integer('minDisk', minDisk);
  const properties: [string, string][] = [];
  const server = param(query, 'server');
  if (server !== undefined) properties.push(['instance_uuid', server.split('/').pop() ?? '']);
  const type = param(query, 'type');
  if (type !== undefined) properties.push(['image_type', type]);
  for (const key of Object.keys(query)) {
    if (key.startsWith('property-')) properties.push([key.slice('property-'.length), param(query, key) ?? '']);
  }
  if (properties.length) filter.properties = properties;

  let limit = MAX_LIMIT;
  for (const name of ['limit', 'page_size']) {
    const raw = param(query, name);
    if (raw !== undefined) limit = Math.min(positive(name, raw), MAX_LIMIT);
  }
  const offset = param(query, 'offset');
  if (offset !== undefined && !/^[0-9]*$/.test(offset)) invalid('offset', offset, `'${offset}' does not match '^[0-9]*$'`);
  return { filter, limit, marker: param(query, 'marker') };
}

function positive(name: string, raw: string): number {
  if (!/^[0-9]*$/.test(raw)) invalid(name, raw, `'${raw}' does not match '^[0-9]*$'`);
  if (raw === '') throw new NovaFault(400, `${name} param must be an integer`);
  const n = Number(raw);
  if (n < 1) invalid(name, raw, `${n} is less than the minimum of 1`);
  return n;
}

function integer(name: string, raw: string): number {
  if (!/^-?[0-9]+$/.test(raw)) throw new NovaFault(400, `Invalid ${name} filter [${raw}]`);
  return Number(raw);
}

/** ISO 8601, offset optional (UTC assumed); returned as the stored form (toISOString). */
export function parseTimestamp(name: string, raw: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw.trim());
  const t = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${normalizeZone(m[3])}`) : NaN;
  if (Number.isNaN(t)) invalid(name, raw, `'${raw}' is not a 'date-time'`);
  return new Date(t).toISOString();
}

function normalizeZone(zone: string | undefined): string {
  if (!zone || zone.toUpperCase() === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

function invalid(name: string, value: string, why: string): never {
  throw new NovaFault(400, `Invalid input for query parameters ${name}. Value: ${value}. ${why}`);
}
