import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';
import { mockTemplate, removeDir, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

const json = { 'content-type': 'application/json' };
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('GET /metrics', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon({ file: { metrics_users: { prometheus: 'scrape-pw' }, metrics_token: 'scrape-token' } });
  });
  after(async () => { await d.stop(); await removeDir(d.dataDir); });

  // parse-prometheus-text-format folds a histogram's samples into one and drops their labels
  // (its prom2json compatibility); so the document is parsed twice: as served (format, types,
  // help), and with histograms declared untyped, which keeps every _count/_sum/_bucket sample
  // with its labels.
  const scrape = async (): Promise<Family[]> => {
    const res = await fetch(`${d.url}/metrics`, { headers: basic('prometheus', 'scrape-pw') });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const typed = parsePrometheusTextFormat(text);
    const samples = parsePrometheusTextFormat(text.replace(/^(# TYPE \S+) histogram$/gm, '$1 untyped'));
    return [...typed, ...samples.filter((f) => f.type === 'UNTYPED')];
  };
  const family = (all: Family[], name: string) => {
    const f = all.find((x) => x.name === name);
    assert.ok(f, `${name} is exported`);
    return f;
  };
  const value = (all: Family[], name: string, labels: Record<string, string>) => {
    family(all, name);
    // Untyped samples of one histogram come as several same-named families (one per label set).
    const m = all.filter((f) => f.name === name).flatMap((f) => f.metrics).find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
    return m ? Number(m.value ?? m.count) : 0;
  };

  test('auth: nothing, wrong credentials and a wrong token are refused; Basic users and the bearer token are let in', async () => {
    for (const headers of [{}, basic('prometheus', 'nope'), basic('nobody', 'scrape-pw'), { authorization: 'Bearer nope' }]) {
      const res = await fetch(`${d.url}/metrics`, { headers });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      assert.doesNotMatch(await res.text(), /scrape-pw|scrape-token/);
    }
    assert.equal((await fetch(`${d.url}/metrics`, { headers: { authorization: 'Bearer scrape-token' } })).status, 200);
  });

  test('builds, steps, pushes and errors per provider, cache hits, HTTP requests, queue and disk usage are counted as they happen', async () => {
    const post = (path: string, body: unknown) => fetch(`${d.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) }).then((r) => r.json());
    const base = (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('metrics') } })).base_image;
    await waitForStatus(d.url, `/imagefactory/base_images/${base.id}`, ['COMPLETE']);
    const again = (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('metrics') } })).base_image;
    await waitForStatus(d.url, `/imagefactory/base_images/${again.id}`, ['COMPLETE']);
    const target = (await post('/imagefactory/target_images', { target_image: { target: 'mock', base_image_id: base.id } })).target_image;
    await waitForStatus(d.url, `/imagefactory/target_images/${target.id}`, ['COMPLETE']);
    const pushed = (await post('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials: 'ok', target_image_id: target.id } })).provider_image;
    await waitForStatus(d.url, `/imagefactory/provider_images/${pushed.id}`, ['COMPLETE']);
    const failed = (await post('/imagefactory/provider_images', { provider_image: { target: 'mock', provider: 'p1', credentials: 'fail-push', target_image_id: target.id } })).provider_image;
    await waitForStatus(d.url, `/imagefactory/provider_images/${failed.id}`, ['FAILED']);
    await fetch(`${d.url}/imagefactory/base_images/no-such-id`);

    // Scrapes show the last background walk of the data directory (at most one a minute): walk now.
    await d.container.metrics.refreshDiskUsage();
    const all = await scrape();
    assert.equal(value(all, 'imagefactory_builds_total', { kind: 'base_image', status: 'COMPLETE' }), 2);
    assert.equal(value(all, 'imagefactory_builds_total', { kind: 'target_image', target: 'mock', status: 'COMPLETE' }), 1);
    assert.equal(value(all, 'imagefactory_builds_total', { kind: 'provider_image', target: 'mock', status: 'FAILED' }), 1);
    assert.equal(value(all, 'imagefactory_build_duration_seconds_count', { kind: 'base_image', status: 'COMPLETE' }), 2);
    for (const [kind, step] of [['base_image', 'queue'], ['base_image', 'install'], ['target_image', 'convert'], ['provider_image', 'push']]) {
      assert.ok(value(all, 'imagefactory_build_step_duration_seconds_count', { kind, step }) >= 1, `${kind} ${step}`);
    }
    const body = await stat(d.container.artifacts.bodyPath(target.id));
    assert.equal(value(all, 'imagefactory_push_bytes_total', { provider: 'mock-provider' }), body.size);
    assert.equal(value(all, 'imagefactory_push_errors_total', { provider: 'mock-provider' }), 1);
    assert.equal(value(all, 'imagefactory_cache_hits_total', { cache: 'base_image' }), 1);
    assert.equal(value(all, 'imagefactory_cache_misses_total', { cache: 'base_image' }), 1);
    assert.equal(value(all, 'imagefactory_http_requests_total', { method: 'POST', route: '/imagefactory/base_images', status_code: '202' }), 2);
    assert.equal(value(all, 'imagefactory_http_requests_total', { method: 'GET', route: '/imagefactory/base_images/:id', status_code: '404' }), 1);
    assert.ok(value(all, 'imagefactory_http_request_duration_seconds_count', { method: 'GET', route: '/imagefactory/base_images/:id' }) >= 2);
    assert.equal(family(all, 'imagefactory_http_request_duration_seconds').type, 'HISTOGRAM');
    assert.equal(value(all, 'imagefactory_builds_running', {}), 0);
    assert.equal(value(all, 'imagefactory_builds_queued', {}), 0);
    assert.ok(value(all, 'imagefactory_data_dir_bytes', {}) >= body.blocks * 512 + 4096, `the data directory holds at least the target image (allocated blocks) and the database: ${value(all, 'imagefactory_data_dir_bytes', {})} vs ${body.blocks * 512}`);
    assert.ok(value(all, 'imagefactory_data_dir_filesystem_size_bytes', {}) > 0);
    // Standard names: counters end in _total; durations and sizes carry their unit.
    for (const f of all.filter((x) => x.name.startsWith('imagefactory_') && x.type !== 'UNTYPED')) {
      if (f.type === 'COUNTER') assert.match(f.name, /_total$/, f.name);
      if (f.type === 'HISTOGRAM') assert.match(f.name, /_seconds$/, f.name);
      assert.ok(f.help.length > 10, `${f.name} has a help text`);
    }
    assert.ok(all.some((f) => f.name === 'process_cpu_seconds_total'), 'the process metrics are there too');
  });

  test('a build in progress is counted as running; one waiting for it as queued', async () => {
    const post = (path: string, body: unknown) => fetch(`${d.url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) }).then((r) => r.json());
    const base = (await post('/imagefactory/base_images', { base_image: { template: mockTemplate('slow-metrics'), parameters: { mock_delay_ms: 3000, build_cache: false } } })).base_image;
    const target = (await post('/imagefactory/target_images', { target_image: { target: 'mock', base_image_id: base.id } })).target_image;
    await waitForStatus(d.url, `/imagefactory/base_images/${base.id}`, ['BUILDING']);
    const all = await scrape();
    assert.equal(value(all, 'imagefactory_builds_running', {}), 1);
    assert.equal(value(all, 'imagefactory_builds_queued', {}), 1);
    await waitForStatus(d.url, `/imagefactory/target_images/${target.id}`, ['COMPLETE']);
  });
});

test('without metrics_users or metrics_token /metrics is open; with metrics=false there is none', async () => {
  const open = await startTestDaemon();
  try {
    const res = await fetch(`${open.url}/metrics`);
    assert.equal(res.status, 200);
    assert.ok(parsePrometheusTextFormat(await res.text()).some((f) => f.name === 'imagefactory_builds_running'));
  } finally { await open.stop(); await removeDir(open.dataDir); }
  const off = await startTestDaemon({ file: { metrics: false } });
  try {
    assert.equal((await fetch(`${off.url}/metrics`)).status, 404);
  } finally { await off.stop(); await removeDir(off.dataDir); }
});
