import { api, ApiError } from './api.js';
import { ACTIVE, age, clear, COLLECTION, h, KIND_LABEL, progressBar, setProgress, shortId, statusBadge } from './dom.js';
import { onImageEvent } from './events.js';

const LOG_MAX_CHARS = 2_000_000;

/** One image: summary, actions, and tabs for its log, parameters, template, packages, SBOM and boot log. */
export function showImage(main, kind, id) {
  const collection = COLLECTION[kind];
  if (!collection) { main.append(h('p', { class: 'error' }, 'Unknown image kind.')); return () => {}; }
  const path = `/imagefactory/${collection}/${encodeURIComponent(id)}`;
  const head = h('div');
  const actions = h('div', { class: 'actions' });
  const forms = h('div');
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const panel = h('div', { class: 'panel' });
  main.append(h('p', {}, h('a', { href: '#/' }, '‹ Images')), head, actions, forms, tabs, panel);
  let image = null;
  let bar = null; let pct = null; let badge = null; let activity = null;
  let stopPanel = () => {};
  let current = 'log';

  async function load() {
    try {
      const doc = await api('GET', path);
      image = doc[kind];
    } catch (e) {
      clear(head).append(h('p', { class: 'error' }, e.message));
      return;
    }
    renderHead();
    renderActions();
    renderTabs();
  }

  function renderHead() {
    bar = progressBar(image.percent_complete, image.status);
    pct = h('span', { class: 'pct' }, `${image.percent_complete}%`);
    badge = h('span', {}, statusBadge(image.status));
    activity = h('div', { class: 'activity-line' }, image.status_detail?.activity ?? '');
    const err = image.status_detail?.error ? h('div', { class: 'error' }, image.status_detail.error) : null;
    const parent = image.base_image ?? image.target_image;
    const children = image.target_images?.target_images ?? image.provider_images?.provider_images ?? [];
    const name = templateName(image.template);
    clear(head).append(...[
      h('h1', {}, `${KIND_LABEL[kind]} image `, h('span', { class: 'name' }, name ?? shortId(image.id)), ' ', badge),
      h('div', { class: 'progress big' }, bar, pct), activity, err,
      h('dl', { class: 'facts' },
        fact('Id', h('code', {}, image.id)),
        image.target && fact('Target', image.target),
        image.provider && fact('Provider', providerLabel(image.provider)),
        image.identifier_on_provider && fact('Id on provider', image.identifier_on_provider),
        image.credentials_ref && fact('Credential set', image.credentials_ref),
        parent && fact('Built from', imageLink(parent._type === 'BaseImage' ? 'base_image' : 'target_image', parent.id)),
        children.length > 0 && fact(kind === 'base_image' ? 'Target images' : 'Provider images',
          children.map((c) => { const [k, ref] = Object.entries(c)[0]; return h('span', { class: 'chip' }, imageLink(k, ref.id)); })),
      )].filter(Boolean));
  }

  function renderActions() {
    // An open form stays open when the image changes under it (events re-render the rest).
    clear(actions);
    const active = ACTIVE.has(image.status);
    if (kind === 'base_image') actions.append(h('button', { onclick: () => buildTargetForm() }, 'Build target image'));
    if (kind === 'target_image' && image.target) actions.append(h('button', { onclick: () => pushForm() }, 'Push to provider'));
    if (image.status === 'COMPLETE' && kind !== 'provider_image') {
      actions.append(h('a', { class: 'button', href: `${path}/raw_image`, download: `${image.id}.body` }, 'Download'));
    }
    if (image.status !== 'DELETING') {
      actions.append(h('button', { class: 'danger', onclick: () => deleteForm(active) }, active ? 'Cancel build' : 'Delete'));
    }
  }

  function buildTargetForm() {
    const select = h('select', { id: 'target', name: 'target' });
    const fieldError = h('div', { class: 'field-error', id: 'target-error' });
    const general = h('div', { class: 'field-error' });
    api('GET', '/imagefactory/targets').then((doc) => {
      for (const { target } of doc.targets) select.append(h('option', { value: target.id }, `${target.id} — ${target.description}`));
    }).catch((e) => { general.textContent = e.message; });
    const form = h('form', { class: 'card inline-form', onsubmit: async (e) => {
      e.preventDefault();
      fieldError.textContent = ''; general.textContent = '';
      try {
        const r = await api('POST', '/imagefactory/target_images', { target_image: { base_image_id: image.id, target: select.value } });
        location.hash = `#/image/target_image/${encodeURIComponent(r.target_image.id)}`;
      } catch (err) { showError(err, { target: fieldError }, general); }
    } }, h('h2', {}, 'Build a target image'), h('label', { for: 'target' }, 'Target'), select, fieldError, general,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Build'), h('button', { type: 'button', onclick: () => clear(forms) }, 'Close')));
    clear(forms).append(form);
  }

  function pushForm() {
    const provider = h('select', { id: 'provider', name: 'provider' });
    const providerFields = h('div');
    const credFields = h('div');
    const errors = { provider: h('div', { class: 'field-error', id: 'provider-error' }), credentials: h('div', { class: 'field-error', id: 'credentials-error' }) };
    const general = h('div', { class: 'field-error' });
    const mode = h('select', { id: 'cred-mode', 'aria-label': 'Credentials' }, h('option', { value: 'ref' }, 'Credential set kept by the daemon'), h('option', { value: 'inline' }, 'Enter credentials'));
    const ref = h('input', { id: 'cred-ref', placeholder: 'credential set name, e.g. prod-aws', autocomplete: 'off' });
    let providers = [];
    const drawFields = () => {
      const p = providers.find((x) => x.id === provider.value);
      clear(providerFields);
      clear(credFields);
      if (!p) return;
      for (const f of p.provider_fields) providerFields.append(...fieldInput('pf', f, false));
      if (mode.value === 'ref') credFields.append(h('label', { for: 'cred-ref' }, 'Credential set'), ref);
      // Secrets are typed into password inputs that are emptied after every submit and never filled from the server.
      else for (const f of p.credential_fields) credFields.append(...fieldInput('cf', f, true));
    };
    provider.addEventListener('change', drawFields);
    mode.addEventListener('change', drawFields);
    api('GET', `/imagefactory/targets/${encodeURIComponent(image.target)}/providers`).then((doc) => {
      providers = doc.providers.map((x) => x.provider);
      for (const p of providers) provider.append(h('option', { value: p.id }, `${p.id} — ${p.description}`));
      if (!providers.length) general.textContent = `Target ${image.target} cannot push to any provider.`;
      drawFields();
    }).catch((e) => { general.textContent = e.message; });
    const form = h('form', { class: 'card inline-form', autocomplete: 'off', onsubmit: async (e) => {
      e.preventDefault();
      for (const el of [...Object.values(errors), general]) el.textContent = '';
      const providerDoc = { type: provider.value };
      for (const input of providerFields.querySelectorAll('input,select')) if (input.value) providerDoc[input.name] = input.value;
      let credentials;
      if (mode.value === 'ref') credentials = { ref: ref.value.trim() };
      else { credentials = {}; for (const input of credFields.querySelectorAll('input')) if (input.value) credentials[input.name] = input.value; }
      try {
        const r = await api('POST', '/imagefactory/provider_images', { provider_image: { target_image_id: image.id, target: image.target, provider: providerDoc, credentials } });
        location.hash = `#/image/provider_image/${encodeURIComponent(r.provider_image.id)}`;
      } catch (err) { showError(err, errors, general); }
      finally { for (const input of credFields.querySelectorAll('input[type=password]')) input.value = ''; }
    } }, h('h2', {}, `Push to a provider`),
    h('label', { for: 'provider' }, 'Provider'), provider, errors.provider, providerFields,
    h('label', { for: 'cred-mode' }, 'Credentials'), mode, credFields, errors.credentials, general,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Push'), h('button', { type: 'button', onclick: () => clear(forms) }, 'Close')));
    clear(forms).append(form);
  }

  function deleteForm(active) {
    const general = h('div', { class: 'field-error' });
    const ref = h('input', { id: 'delete-cred-ref', placeholder: 'credential set name', autocomplete: 'off' });
    const needsCreds = kind === 'provider_image';
    const form = h('form', { class: 'card inline-form', onsubmit: async (e) => {
      e.preventDefault();
      general.textContent = '';
      const body = needsCreds && ref.value.trim() ? { provider_image: { credentials: { ref: ref.value.trim() } } } : undefined;
      try { await api('DELETE', path, body); clear(forms); load(); } catch (err) { general.textContent = err.message; }
    } }, h('h2', {}, active ? 'Cancel this build?' : 'Delete this image?'),
    h('p', { class: 'muted' }, active ? 'The build stops, its processes are killed and the image is deleted.' : 'The image and its files are removed.'),
    needsCreds && [h('label', { for: 'delete-cred-ref' }, 'Credential set to delete it at the provider (optional)'), ref],
    general,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'danger' }, active ? 'Cancel build' : 'Delete'), h('button', { type: 'button', onclick: () => clear(forms) }, 'Keep it')));
    clear(forms).append(form);
  }

  function renderTabs() {
    const list = [['log', 'Build log'], ['parameters', 'Parameters'], ['template', 'Template']];
    if (kind === 'base_image') list.push(['packages', 'Packages'], ['sbom', 'SBOM'], ['serial', 'Boot test log']);
    clear(tabs);
    for (const [key, label] of list) {
      tabs.append(h('button', { role: 'tab', class: key === current ? 'tab active' : 'tab', 'aria-selected': String(key === current), onclick: () => { current = key; renderTabs(); } }, label));
    }
    stopPanel();
    stopPanel = () => {};
    clear(panel);
    if (current === 'log') stopPanel = followLog(panel, `/imagefactory/${collection}/${encodeURIComponent(id)}/log?follow=true`);
    else if (current === 'parameters') panel.append(h('pre', {}, JSON.stringify(image.parameters ?? {}, null, 2)));
    else if (current === 'template') panel.append(h('pre', {}, maskRootPassword(image.template) ?? '(none)'));
    else if (current === 'packages') panel.append(packagesTable(image.icicle));
    else if (current === 'sbom') loadInto(panel, `/imagefactory/base_images/${encodeURIComponent(id)}/sbom`, (doc) => sbomTable(typeof doc === 'string' ? JSON.parse(doc) : doc));
    else if (current === 'serial') loadInto(panel, `/imagefactory/base_images/${encodeURIComponent(id)}/serial_log`, (text) => h('pre', { class: 'log' }, text));
  }

  const off = onImageEvent((type, e) => {
    if (type === 'reset') return load();
    if (!image) return;
    if (e.id === id) {
      if (type === 'status') return load();
      setProgress(bar, e.percent_complete, e.status);
      pct.textContent = `${e.percent_complete}%`;
      activity.textContent = e.activity;
    } else if (type === 'status' && (e.base_image_id === id || e.target_image_id === id) && e.previous_status === null) {
      load();
    }
  });
  load();
  return () => { off(); stopPanel(); };
}

function fact(label, value) {
  if (value === null || value === undefined || value === '') return null;
  return [h('dt', {}, label), h('dd', {}, value)];
}

function imageLink(kind, id) {
  return h('a', { href: `#/image/${kind}/${encodeURIComponent(id)}` }, `${KIND_LABEL[kind]} ${shortId(id)}`);
}

function fieldInput(prefix, f, secret) {
  const id = `${prefix}-${f.name}`;
  const input = f.values ? h('select', { id, name: f.name }, h('option', { value: '' }, '—'), ...f.values.map((v) => h('option', { value: v }, v)))
    : h('input', { id, name: f.name, type: secret ? 'password' : 'text', autocomplete: secret ? 'new-password' : 'off', placeholder: f.default === undefined ? '' : String(f.default) });
  return [h('label', { for: id }, f.name, h('span', { class: 'muted' }, ` — ${f.description}`)), input];
}

function showError(err, fieldErrors, general) {
  const m = /^(provider|credentials|target|template|parameters)\b/.exec(err.message);
  (fieldErrors[err.field] ?? (m && fieldErrors[m[1]]) ?? general).textContent = err.message;
}

function providerLabel(p) {
  try { const o = JSON.parse(p); return o.name ?? o.type ?? p; } catch { return p; }
}

function templateName(xml) {
  if (!xml) return null;
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  return doc.querySelector('template > name')?.textContent ?? null;
}

/** The root password a template may carry is never shown. */
function maskRootPassword(xml) {
  return xml ? xml.replace(/(<rootpw(?:\s[^>]*)?>)[\s\S]*?(<\/rootpw>)/g, '$1••••••$2') : xml;
}

function packagesTable(icicle) {
  if (!icicle) return h('p', { class: 'muted' }, 'No package list yet (ICICLE is written when the base image is complete).');
  const doc = new DOMParser().parseFromString(icicle, 'application/xml');
  const rows = [...doc.querySelectorAll('package')].map((p) => {
    const [version, arch] = (p.querySelector('extra')?.textContent ?? '').split(' ');
    return h('tr', {}, h('td', {}, p.getAttribute('name')), h('td', {}, version ?? ''), h('td', {}, arch ?? ''));
  });
  return h('div', {}, h('p', { class: 'muted' }, `${rows.length} packages (ICICLE)`),
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Package'), h('th', {}, 'Version'), h('th', {}, 'Arch'))), h('tbody', {}, rows)));
}

function sbomTable(doc) {
  const pkgs = doc.packages ?? [];
  return h('div', {}, h('p', { class: 'muted' }, `${doc.spdxVersion ?? 'SPDX'} · ${pkgs.length} packages · ${doc.name ?? ''}`),
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Package'), h('th', {}, 'Version'), h('th', {}, 'Supplier'))),
      h('tbody', {}, pkgs.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.versionInfo ?? ''), h('td', {}, p.supplier ?? ''))))));
}

async function loadInto(panel, url, render) {
  panel.append(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const data = await api('GET', url);
    clear(panel).append(render(data));
  } catch (e) {
    clear(panel).append(h('p', { class: e instanceof ApiError && e.status === 404 ? 'muted' : 'error' }, e.message));
  }
}

/** Streams the build log (the daemon keeps the response open while the build runs). */
function followLog(panel, url) {
  const pre = h('pre', { class: 'log', id: 'build-log' });
  const state = h('p', { class: 'muted' }, 'Streaming…');
  panel.append(state, pre);
  const ctrl = new AbortController();
  (async () => {
    try {
      const res = await fetch(url, { credentials: 'same-origin', signal: ctrl.signal });
      if (!res.ok) throw new Error((await res.text()) || `HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
        pre.append(value);
        if (pre.textContent.length > LOG_MAX_CHARS) pre.textContent = pre.textContent.slice(-LOG_MAX_CHARS / 2);
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
      state.textContent = pre.textContent ? 'End of log.' : 'The log is empty.';
    } catch (e) {
      if (!ctrl.signal.aborted) state.textContent = `Log unavailable: ${e.message}`;
    }
  })();
  return () => ctrl.abort();
}

export { age };
