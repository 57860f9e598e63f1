import { api } from './api.js';
import { clear, h } from './dom.js';

const PAGE = 50;
const VIEWS = {
  nova: { title: 'Nova', columns: [['ID', (i) => i.nova_id], ['Name', (i) => i.name], ['Status', (i) => i.nova_status], ['Size', (i) => bytes(i.size)], ['minDisk (GiB)', (i) => i.min_disk], ['minRam (MiB)', (i) => i.min_ram], ['Created', (i) => i.created_at]] },
  foreman: { title: 'Foreman', columns: [['id', (i) => i.id], ['name', (i) => i.name], ['uuid', (i) => i.uuid], ['compute resource', (i) => `${i.compute_resource} (${i.provider})`], ['operating system', (i) => i.operatingsystem], ['architecture', (i) => i.architecture], ['username', (i) => i.username], ['listed', (i) => (i.foreman_listed ? 'yes' : `no (${i.state})`)]] },
  hostway: { title: 'Hostway', columns: [['id', (i) => i.nova_id], ['name', (i) => i.name], ['status', (i) => i.hostway_status ?? '—'], ['provider', (i) => i.provider], ['os', (i) => i.operatingsystem], ['size', (i) => bytes(i.size)], ['created', (i) => i.created_at]] },
};

/** Read-only tables of the image catalog as each catalog API presents it. */
export function showCatalog(main, view) {
  const v = VIEWS[view] ?? VIEWS.nova;
  let offset = 0;
  const tbody = h('tbody');
  const info = h('span', { class: 'muted' });
  const error = h('div', { class: 'error' });
  const prev = h('button', { onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, '‹ Newer');
  const next = h('button', { onclick: () => { offset += PAGE; load(); } }, 'Older ›');
  main.append(
    h('div', { class: 'toolbar' }, h('h1', {}, `Catalog — ${v.title} view`), h('span', { class: 'spacer' }),
      h('div', { class: 'seg' }, Object.entries(VIEWS).map(([k, x]) => h('a', { href: `#/catalog/${k}`, class: k === view ? 'active' : null }, x.title)))),
    h('p', { class: 'muted' }, 'Target and provider images synced into the catalog the Nova, Foreman and Hostway APIs serve (read-only here).'),
    error,
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, v.columns.map(([c]) => h('th', {}, c)))), tbody),
    h('div', { class: 'pager' }, prev, info, next));
  async function load() {
    let page;
    try { page = await api('GET', `/dashboard/api/catalog?offset=${offset}&limit=${PAGE}`); error.textContent = ''; } catch (e) { error.textContent = e.message; return; }
    clear(tbody);
    for (const img of page.images) tbody.append(h('tr', { class: view === 'foreman' && !img.foreman_listed ? 'dim' : null }, v.columns.map(([, f]) => h('td', {}, String(f(img) ?? '')))));
    if (!page.images.length) tbody.append(h('tr', {}, h('td', { colspan: v.columns.length, class: 'muted empty' }, 'The catalog is empty: complete target or provider images appear here.')));
    info.textContent = page.total ? `${offset + 1}–${offset + page.images.length} of ${page.total.toLocaleString()}` : '';
    prev.disabled = offset === 0;
    next.disabled = offset + page.images.length >= page.total;
  }
  load();
  return () => {};
}

function bytes(n) {
  if (!n) return '0';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(u.length - 1, Math.floor(Math.log2(n) / 10));
  return `${(n / 1024 ** i).toFixed(i ? 1 : 0)} ${u[i]}`;
}
