// Every node is built with createElement/textContent: API data is never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function age(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '';
}

export function statusBadge(status) {
  return h('span', { class: `badge s-${String(status).toLowerCase()}` }, status);
}

export function progressBar(percent, status) {
  const bar = h('div', { class: `bar s-${String(status).toLowerCase()}`, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent },
    h('div', { class: 'fill' }));
  setProgress(bar, percent, status);
  return bar;
}

export function setProgress(bar, percent, status) {
  bar.querySelector('.fill').style.width = `${Math.max(0, Math.min(100, Number(percent) || 0))}%`;
  bar.setAttribute('aria-valuenow', String(percent));
  bar.className = `bar s-${String(status).toLowerCase()}`;
}

export const COLLECTION = { base_image: 'base_images', target_image: 'target_images', provider_image: 'provider_images' };
export const KIND_LABEL = { base_image: 'base', target_image: 'target', provider_image: 'provider' };
export const ACTIVE = new Set(['NEW', 'PENDING', 'BUILDING', 'DELETING']);
