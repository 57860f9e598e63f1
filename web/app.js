import { api, ApiError, session, setUnauthorizedHandler } from './api.js';
import { clear, h } from './dom.js';
import { startEvents, stopEvents } from './events.js';
import { showTree } from './tree.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let leaveView = () => {};

async function boot() {
  const s = await api('GET', '/dashboard/session');
  session.authRequired = s.auth_required;
  session.user = s.user;
  session.csrf = s.csrf;
  if (s.auth_required && !s.user) return showLogin(s.accounts_configured);
  enter();
}

function enter() {
  nav.hidden = false;
  const user = document.getElementById('user');
  clear(user);
  if (session.user) user.append(h('span', {}, session.user), ' ', h('button', { class: 'link', onclick: logout }, 'Log out'));
  else if (!session.authRequired) user.append(h('span', { class: 'muted', title: 'The daemon runs with --no_oauth: the API and this dashboard are open' }, 'OAuth off'));
  startEvents(document.getElementById('live'));
  window.addEventListener('hashchange', route);
  route();
}

async function route() {
  leaveView();
  leaveView = () => {};
  const hash = location.hash.replace(/^#/, '') || '/';
  const parts = hash.split('/').filter(Boolean);
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.route === (parts[0] === 'new' ? 'new' : parts[0] === 'catalog' ? 'catalog' : parts[0] === 'image' ? '' : 'images'));
  clear(main);
  try {
    if (parts[0] === 'image' && parts[1] && parts[2]) {
      const { showImage } = await import('./details.js');
      leaveView = showImage(main, parts[1], decodeURIComponent(parts[2]));
    } else if (parts[0] === 'new') {
      const { showEditor } = await import('./editor.js');
      leaveView = showEditor(main);
    } else if (parts[0] === 'catalog') {
      const { showCatalog } = await import('./catalog.js');
      leaveView = showCatalog(main, parts[1] ?? 'nova');
    } else {
      leaveView = showTree(main);
    }
  } catch (e) {
    main.append(h('p', { class: 'error' }, e instanceof ApiError ? e.message : String(e)));
  }
}

function showLogin(accountsConfigured) {
  nav.hidden = true;
  stopEvents();
  leaveView();
  clear(main);
  const login = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true });
  const secret = h('input', { id: 'secret', name: 'secret', type: 'password', autocomplete: 'current-password', required: true });
  const errors = { login: h('div', { class: 'field-error', id: 'login-error' }), secret: h('div', { class: 'field-error', id: 'secret-error' }) };
  const general = h('div', { class: 'field-error' });
  const form = h('form', { class: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    for (const el of [...Object.values(errors), general]) el.textContent = '';
    try {
      const r = await api('POST', '/dashboard/login', { login: login.value, secret: secret.value });
      secret.value = '';
      session.user = r.user;
      session.csrf = r.csrf;
      enter();
    } catch (err) {
      (errors[err.field] ?? general).textContent = err.message;
    }
  } },
  h('h1', {}, 'Log in'),
  h('p', { class: 'muted' }, 'Use an OAuth consumer key and secret, or a dashboard user from the daemon\'s configuration.'),
  !accountsConfigured && h('p', { class: 'error' }, 'No OAuth consumers or dashboard users are configured: set "clients" or "dashboard_users" in the daemon\'s configuration file.'),
  h('label', { for: 'login' }, 'Consumer key or user'), login, errors.login,
  h('label', { for: 'secret' }, 'Secret or password'), secret, errors.secret,
  general,
  h('button', { type: 'submit', class: 'primary' }, 'Log in'));
  main.append(form);
  login.focus();
}

async function logout() {
  try { await api('POST', '/dashboard/logout'); } catch { /* logged out either way */ }
  session.user = null;
  session.csrf = null;
  window.removeEventListener('hashchange', route);
  clear(document.getElementById('user'));
  showLogin(true);
}

setUnauthorizedHandler(() => { session.user = null; session.csrf = null; window.removeEventListener('hashchange', route); showLogin(true); });
boot().catch((e) => { clear(main).append(h('p', { class: 'error' }, `The dashboard could not start: ${e.message}`)); });
