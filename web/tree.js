import { api } from './api.js';
import { ACTIVE, age, clear, h, KIND_LABEL, progressBar, setProgress, shortId, statusBadge } from './dom.js';
import { onImageEvent } from './events.js';

const PAGE = 25;
// Kept across views so "back" from an image returns to the same page and filter.
const state = { offset: 0, q: '', status: '' };

/** The image tree, one page of base images at a time; rows update in place from the event stream. */
export function showTree(main) {
  const rowsById = new Map();
  const tbody = h('tbody');
  const summary = h('span', { class: 'muted' });
  const counts = h('div', { class: 'counts' });
  const prev = h('button', { onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }, '‹ Newer');
  const next = h('button', { onclick: () => { state.offset += PAGE; load(); } }, 'Older ›');
  const q = h('input', { type: 'search', placeholder: 'Search name or id', value: state.q, 'aria-label': 'Search' });
  const status = h('select', { 'aria-label': 'Status' }, h('option', { value: '' }, 'Any status'),
    ...['NEW', 'PENDING', 'BUILDING', 'COMPLETE', 'FAILED', 'DELETING', 'DELETEFAILED'].map((s) => h('option', { value: s }, s)));
  status.value = state.status;
  const error = h('div', { class: 'error' });
  let timer = 0;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.q = q.value; state.offset = 0; load(); }, 250); });
  status.addEventListener('change', () => { state.status = status.value; state.offset = 0; load(); });

  main.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Images'), counts, h('span', { class: 'spacer' }), q, status,
      h('a', { class: 'button primary', href: '#/new' }, 'New build')),
    error,
    h('table', { class: 'tree' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Image'), h('th', {}, 'Kind'), h('th', {}, 'Status'), h('th', { class: 'w-progress' }, 'Progress'), h('th', {}, 'Activity'), h('th', {}, 'Age'))),
      tbody),
    h('div', { class: 'pager' }, prev, summary, next));

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const params = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
    if (state.q) params.set('q', state.q);
    if (state.status) params.set('status', state.status);
    let page;
    try { page = await api('GET', `/dashboard/api/tree?${params}`); error.textContent = ''; } catch (e) { error.textContent = e.message; return; }
    if (mine !== seq) return;
    rowsById.clear();
    clear(tbody);
    for (const base of page.bases) addRows(base, 0);
    if (!page.bases.length) tbody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted empty' }, state.q || state.status ? 'No image matches.' : 'No images yet: start one with New build.')));
    const last = Math.min(page.total, state.offset + page.bases.length);
    summary.textContent = page.total ? `${state.offset + 1}–${last} of ${page.total.toLocaleString()} base images` : '';
    prev.disabled = state.offset === 0;
    next.disabled = last >= page.total;
    clear(counts);
    for (const [s, n] of Object.entries(page.counts)) counts.append(h('span', { class: `count s-${s.toLowerCase()}` }, `${n.toLocaleString()} ${s.toLowerCase()}`));
  }

  function addRows(node, depth) {
    const bar = progressBar(node.percent_complete, node.status);
    const pct = h('span', { class: 'pct' }, `${node.percent_complete}%`);
    const badge = h('td', {}, statusBadge(node.status));
    const activity = h('td', { class: 'activity', title: node.error ?? node.activity }, node.error ? `${node.activity} — ${node.error}` : node.activity);
    const ageCell = h('td', { class: 'age', title: node.created_at }, age(node.created_at));
    const label = node.kind === 'base_image' ? (node.name ?? '(no name)') : node.kind === 'target_image' ? (node.target ?? 'target') : (node.provider ?? 'provider');
    const tr = h('tr', { class: `depth-${depth}`, dataset: { id: node.id } },
      h('td', { class: 'name' }, h('a', { href: `#/image/${node.kind}/${encodeURIComponent(node.id)}` }, label), h('span', { class: 'id' }, shortId(node.id))),
      h('td', {}, KIND_LABEL[node.kind]), badge, h('td', {}, h('div', { class: 'progress' }, bar, pct)), activity, ageCell);
    tbody.append(tr);
    rowsById.set(node.id, { node, bar, pct, badge, activity, ageCell });
    for (const c of node.children) addRows(c, depth + 1);
  }

  let reloadTimer = 0;
  const reloadSoon = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(load, 400); };
  const off = onImageEvent((type, e) => {
    if (type === 'reset') return reloadSoon();
    const row = rowsById.get(e.id);
    if (!row) {
      // A new image shows on the first page; a new child of a row shown here joins its parent.
      if (type === 'status' && (state.offset === 0 || rowsById.has(e.base_image_id) || rowsById.has(e.target_image_id))) reloadSoon();
      return;
    }
    if (type === 'status' && (e.status === 'DELETED' || state.status)) return reloadSoon();
    setProgress(row.bar, e.percent_complete, e.status);
    row.pct.textContent = `${e.percent_complete}%`;
    if (row.node.status !== e.status) clear(row.badge).append(statusBadge(e.status));
    row.node.status = e.status;
    row.activity.textContent = e.error ? `${e.activity} — ${e.error}` : e.activity;
    row.activity.title = e.error ?? e.activity;
  });
  const ticker = setInterval(() => { for (const r of rowsById.values()) r.ageCell.textContent = age(r.node.created_at); }, 30_000);
  load();
  return () => { off(); clearInterval(ticker); clearTimeout(reloadTimer); clearTimeout(timer); };
}

export { ACTIVE };
