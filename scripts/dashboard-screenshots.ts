/**
 * Regenerates the dashboard screenshots in docs/ (shown in the README): a daemon with the test-double
 * OS plugin, the real target plugins and a handful of real builds, photographed in Chromium.
 *
 *   node --import tsx scripts/dashboard-screenshots.ts [out-dir]
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { catalogSurfaces } from '../src/main/catalog-surfaces.js';
import { targetPlugins } from '../src/plugins/targets/index.js';
import { mockCloudPlugin, mockProvider } from '../test/doubles/mock-cloud-plugin.js';
import { mockOsPlugin } from '../test/doubles/mock-os-plugin.js';
import { mockTemplate, startTestDaemon } from '../test/helpers/test-daemon.js';

const out = process.argv[2] ?? 'docs';
const CLIENT = { key: 'ops', secret: 'screenshot-secret' };
await mkdir(out, { recursive: true });
const d = await startTestDaemon({
  flags: { no_oauth: false },
  file: { clients: { [CLIENT.key]: CLIENT.secret }, max_concurrent_local_sessions: 4 },
  plugins: { os: [mockOsPlugin], cloud: [...targetPlugins, mockCloudPlugin], providers: [mockProvider] },
  surfaces: catalogSurfaces(),
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const login = await fetch(`${d.url}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: CLIENT.key, secret: CLIENT.secret }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const { csrf } = (await login.json()) as { csrf: string };
  const post = async (kind: string, body: Record<string, unknown>) => {
    const res = await fetch(`${d.url}/imagefactory/${kind}s`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf }, body: JSON.stringify({ [kind]: body }) });
    if (res.status !== 202) throw new Error(`${kind}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as Record<string, { id: string }>)[kind].id;
  };
  const settle = async (id: string) => {
    for (let i = 0; i < 600; i++) {
      const s = (await d.container.store.get(id))?.status;
      if (s === 'COMPLETE' || s === 'FAILED') return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${id} did not finish`);
  };
  for (const name of ['bastion', 'kafka-broker']) await settle(await post('base_image', { template: mockTemplate(name) }));
  const web = await post('base_image', { template: mockTemplate('web-frontend') });
  await settle(web);
  for (const target of ['openstack-kvm', 'vsphere']) await settle(await post('target_image', { base_image_id: web, target }));
  const mock = await post('target_image', { base_image_id: web, target: 'MockCloud' });
  await settle(mock);
  await settle(await post('provider_image', { target_image_id: mock, target: 'MockCloud', provider: { type: 'mock-provider', name: 'lab-cloud' }, credentials: { token: 'not-shown' } }));
  await settle(await post('base_image', { template: mockTemplate('db-replica'), parameters: { mock_fail: 'mmdebstrap: E: cannot download packages: 404 Not Found' } }));
  const ci = await post('base_image', { template: mockTemplate('ci-runner'), parameters: { mock_delay_ms: 90_000 } });
  await post('target_image', { base_image_id: ci, target: 'openstack-kvm' });
  await new Promise((r) => setTimeout(r, 25_000));

  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  const page = await context.newPage();
  await page.goto(`${d.url}/`);
  await page.waitForSelector('form.login');
  await page.fill('#login', CLIENT.key);
  await page.screenshot({ path: join(out, 'dashboard-login.png') });
  await page.fill('#secret', CLIENT.secret);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('table.tree tbody tr[data-id]');
  await page.waitForSelector('#live.on');
  await page.screenshot({ path: join(out, 'dashboard-images.png') });
  await page.goto(`${d.url}/#/image/base_image/${ci}`);
  await page.waitForFunction(() => (document.querySelector('#build-log')?.textContent ?? '').includes('Mock step'));
  await page.screenshot({ path: join(out, 'dashboard-image.png') });
  await page.goto(`${d.url}/#/new`);
  await page.waitForSelector('#template');
  const text = await page.inputValue('#template');
  await page.fill('#template', text.replace('<install type="url">', '<instal type="url">').replace('</install>', '</instal>'));
  await page.waitForFunction(() => /line \d+/.test(document.querySelector('.validation.bad')?.textContent ?? ''));
  await page.screenshot({ path: join(out, 'dashboard-editor.png') });
  await page.goto(`${d.url}/#/catalog/nova`);
  await page.waitForSelector('table.grid tbody tr td');
  await page.screenshot({ path: join(out, 'dashboard-catalog.png') });
  await context.close();
} finally {
  await browser.close();
  await d.stop();
  await rm(d.dataDir, { recursive: true, force: true });
}
