import { api, ApiError } from './api.js';
import { clear, h } from './dom.js';

const EXAMPLE = `<template>
  <name>debian12-web</name>
  <description>Debian 12 with nginx</description>
  <os>
    <name>Debian</name>
    <version>12</version>
    <arch>x86_64</arch>
    <install type="url"><url>http://deb.debian.org/debian/</url></install>
  </os>
  <packages>
    <package name="nginx"/>
  </packages>
</template>
`;
let draft = EXAMPLE;

/** The TDL editor: validated as you type by the daemon's own parser, then submitted as a build. */
export function showEditor(main) {
  const text = h('textarea', { id: 'template', name: 'template', spellcheck: 'false', wrap: 'off', 'aria-label': 'TDL template' });
  text.value = draft;
  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const status = h('div', { class: 'validation', id: 'template-error', role: 'status' });
  const target = h('select', { id: 'build-target', name: 'target' }, h('option', { value: '' }, 'Base image only'));
  const params = h('textarea', { id: 'parameters', name: 'parameters', class: 'small', spellcheck: 'false', placeholder: '{"boot_test": false}' });
  const errors = { target: h('div', { class: 'field-error', id: 'target-error' }), parameters: h('div', { class: 'field-error', id: 'parameters-error' }) };
  const general = h('div', { class: 'field-error' });
  api('GET', '/imagefactory/targets').then((doc) => {
    for (const { target: t } of doc.targets) target.append(h('option', { value: t.id }, `Target image: ${t.id}`));
  }).catch((e) => { general.textContent = e.message; });

  let badLine = 0;
  const drawGutter = () => {
    const lines = text.value.split('\n').length;
    clear(gutter);
    for (let i = 1; i <= lines; i++) gutter.append(h('div', { class: i === badLine ? 'bad' : null }, String(i)));
    gutter.scrollTop = text.scrollTop;
  };
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });

  let timer = 0; let seq = 0; let controller = null;
  const validate = async () => {
    const mine = ++seq;
    controller?.abort();
    controller = new AbortController();
    status.className = 'validation pending';
    status.textContent = 'Checking…';
    try {
      const r = await api('POST', '/imagefactory/templates/validate', { template: text.value }, { signal: controller.signal });
      if (mine !== seq) return;
      const t = r.template;
      badLine = 0;
      status.className = 'validation ok';
      status.textContent = `Valid: “${t.name}”, ${t.os.name} ${t.os.version} ${t.os.arch}, install from ${t.install.source}, ${t.packages.length} packages`;
    } catch (e) {
      if (mine !== seq || e.name === 'AbortError') return;
      const m = /line (\d+)/.exec(e.message);
      badLine = m ? Number(m[1]) : 0;
      status.className = 'validation bad';
      status.textContent = e.message;
    }
    drawGutter();
  };
  text.addEventListener('input', () => {
    draft = text.value;
    drawGutter();
    clearTimeout(timer);
    timer = setTimeout(validate, 300);
  });

  const form = h('form', { class: 'editor-form', onsubmit: async (e) => {
    e.preventDefault();
    for (const el of [...Object.values(errors), general]) el.textContent = '';
    let parameters = {};
    if (params.value.trim()) {
      try { parameters = JSON.parse(params.value); } catch (err) { errors.parameters.textContent = `parameters: not valid JSON (${err.message})`; return; }
    }
    const kind = target.value ? 'target_image' : 'base_image';
    const body = target.value ? { target_image: { template: text.value, target: target.value, parameters } } : { base_image: { template: text.value, parameters } };
    try {
      const r = await api('POST', `/imagefactory/${kind}s`, body);
      location.hash = `#/image/${kind}/${encodeURIComponent(r[kind].id)}`;
    } catch (err) {
      if (err instanceof ApiError && /^template:|line \d+/.test(err.message)) { status.className = 'validation bad'; status.textContent = err.message; }
      else (errors[err.field] ?? (/^target\b/.test(err.message) ? errors.target : general)).textContent = err.message;
    }
  } },
  h('div', { class: 'toolbar' }, h('h1', {}, 'New build'), h('span', { class: 'spacer' }),
    h('button', { type: 'button', onclick: () => { text.value = EXAMPLE; text.dispatchEvent(new Event('input')); } }, 'Example')),
  h('div', { class: 'editor' }, gutter, text),
  status,
  h('div', { class: 'build-options' },
    h('div', {}, h('label', { for: 'build-target' }, 'Build'), target, errors.target),
    h('div', { class: 'grow' }, h('label', { for: 'parameters' }, 'Parameters (JSON, optional)'), params, errors.parameters)),
  general,
  h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: 'submit-build' }, 'Start build')));
  main.append(form);
  drawGutter();
  validate();
  return () => { clearTimeout(timer); controller?.abort(); };
}
