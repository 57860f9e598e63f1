import { ForemanError } from './errors.js';

/** Foreman's `entries_per_page` default. */
export const DEFAULT_PER_PAGE = 20;

export interface Paging {
  page: number;
  /** null = `all`. */
  perPage: number | null;
  offset: number;
}

const one = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v) as string | undefined;

/**
 * page/per_page as will_paginate reads them. Where Foreman answers 500 (page 0, -1, abc) we answer
 * 400 with the same message, and a per_page that is neither a positive integer nor `all` is 400 too
 * (Foreman would silently return no rows).
 */
export function parsePaging(query: Record<string, unknown>): Paging {
  const rawPage = one(query.page);
  let page = 1;
  if (rawPage !== undefined && rawPage !== '') {
    if (!/^-?\d+$/.test(rawPage)) throw ForemanError.message(400, `invalid value for Integer(): "${rawPage}"`);
    page = Number(rawPage);
    if (page < 1 || !Number.isSafeInteger(page)) throw ForemanError.message(400, `invalid page: ${rawPage}`);
  }
  const rawPer = one(query.per_page);
  let perPage: number | null = DEFAULT_PER_PAGE;
  if (rawPer !== undefined && rawPer !== '') {
    if (rawPer === 'all') perPage = null;
    else if (/^\d+$/.test(rawPer) && Number(rawPer) >= 1) perPage = Math.min(Number(rawPer), Number.MAX_SAFE_INTEGER);
    else throw ForemanError.message(400, `invalid per_page: ${rawPer}`);
  }
  const offset = perPage === null ? 0 : Math.min((page - 1) * perPage, Number.MAX_SAFE_INTEGER);
  return { page, perPage, offset };
}

/** The index envelope (layouts/index_layout.json.erb). */
export function envelope(args: {
  total: number; subtotal: number; paging: Paging; search: string | undefined;
  order: { by: string | null; direction: string | null }; results: unknown[];
}) {
  return {
    total: args.total,
    subtotal: args.subtotal,
    page: args.paging.page,
    per_page: args.paging.perPage ?? args.total,
    search: args.search ?? null,
    sort: { by: args.order.by, order: args.order.direction },
    results: args.results,
  };
}

export function queryString(query: Record<string, unknown>, name: string): string | undefined {
  const v = one(query[name]);
  return v === undefined ? undefined : String(v);
}
