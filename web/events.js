// One EventSource for the whole page; views register listeners and remove them when they go.
const listeners = new Set();
let source = null;
let indicator = null;

export function startEvents(el) {
  indicator = el;
  if (source) return;
  source = new EventSource('/imagefactory/events', { withCredentials: true });
  const dispatch = (e) => {
    let data; try { data = JSON.parse(e.data); } catch { return; }
    for (const l of listeners) l(e.type, data);
  };
  source.addEventListener('status', dispatch);
  source.addEventListener('progress', dispatch);
  // The daemon could not replay what we missed (restart, long absence): views reload their state.
  source.addEventListener('reset', () => { for (const l of listeners) l('reset', null); });
  source.addEventListener('ready', () => show(true));
  source.addEventListener('error', () => show(false));
}

export function stopEvents() {
  source?.close();
  source = null;
  show(false);
}

function show(live) {
  if (!indicator) return;
  indicator.hidden = false;
  indicator.textContent = live ? 'live' : 'reconnecting…';
  indicator.className = live ? 'live on' : 'live off';
}

export function onImageEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
