/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against the daemon's
 * real composition with the test-double plugins, OAuth on. (The README's screenshots come from
 * scripts/dashboard-screenshots.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { catalogSurfaces } from '../../src/main/catalog-surfaces.js';
import { mockTemplate, removeDir, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';

const CHROMIUM = '/usr/bin/chromium';
const CLIENT = { key: 'dash-key', secret: 'dash-consumer-secret-9f2c' };
const USER = { login: 'operator', password: 'operator-password-77a1' };
const INLINE_TOKEN = 'inline-provider-token-5d1e';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The API's own view of an image (signed requests are not needed: the test reads through the daemon's store). */
async function storedStatus(d: TestDaemon, id: string): Promise<string | undefined> {
  return (await d.container.store.get(id))?.status;
}

describe('web dashboard in Chromium', { skip }, () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    d = await startTestDaemon({
      flags: { no_oauth: false },
      file: { clients: { [CLIENT.key]: CLIENT.secret }, dashboard_users: { [USER.login]: USER.password } },
      surfaces: catalogSurfaces(),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (dlg) => { dialogs.push(dlg.message()); void dlg.dismiss(); });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await d?.stop();
    await removeDir(d.dataDir);
  });

  test('the page asks to log in; a wrong secret shows the API message next to the field', async () => {
    await page.goto(`${d.url}/`);
    await page.waitForSelector('form.login');
    await page.fill('#login', CLIENT.key);
    await page.fill('#secret', 'not-the-secret');
    await page.click('form.login button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#secret-error')?.textContent?.includes('wrong login or secret'));
    // Without a session the data routes and the event stream refuse.
    assert.equal((await page.evaluate(async () => (await fetch('/dashboard/api/tree')).status)), 401);
    assert.equal((await page.evaluate(async () => (await fetch('/imagefactory/events')).status)), 401);
  });

  test('an OAuth consumer logs in with key and secret; the session cookie is HttpOnly and SameSite=Strict', async () => {
    await page.fill('#login', CLIENT.key);
    await page.fill('#secret', CLIENT.secret);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('table.tree');
    const [cookie] = await page.context().cookies();
    assert.equal(cookie.name, 'if_session');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session cookie');
    await page.waitForSelector('#live.on');
  });

  test('a bad template shows the parser\'s error with its line, marked in the gutter', async () => {
    await page.click('nav a[data-route=new]');
    await page.waitForSelector('#template');
    const bad = mockTemplate('bad').replace('<arch>x86_64</arch>', '<arch>x86_64</arch>\n    <intall/>');
    await page.fill('#template', bad);
    await page.waitForFunction(() => /line \d+/.test(document.querySelector('.validation.bad')?.textContent ?? ''));
    const message = await page.textContent('.validation');
    assert.match(message!, /line 7: /);
    // The same text the API gives a POST of that template.
    const api = await fetch(`${d.url}/imagefactory/templates/validate`, { method: 'POST' });
    assert.equal(api.status, 401, 'the validation endpoint is protected like every write');
    assert.equal(await page.textContent('.gutter .bad'), '7');
  });

  let slowId = '';
  test('submitting a template starts a build; its progress bar moves and its log grows live, without polling', async () => {
    const name = '<script>alert("x")</script>';
    const template = mockTemplate(name.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    await page.fill('#template', template);
    await page.waitForFunction(() => document.querySelector('.validation')?.classList.contains('ok'));
    assert.match((await page.textContent('.validation'))!, /Valid: “<script>alert\("x"\)<\/script>”/);
    await page.fill('#parameters', JSON.stringify({ mock_delay_ms: 6000 }));
    await page.click('#submit-build');
    await page.waitForURL(/#\/image\/base_image\//);
    slowId = decodeURIComponent(page.url().split('/').pop()!);
    let detailFetches = 0;
    const count = (req: { url(): string }) => { if (req.url().endsWith(`/base_images/${slowId}`)) detailFetches++; };
    page.on('request', count);
    await page.waitForSelector('.progress.big .bar');
    // Sample the page while the build runs: the bar and the log must change without a reload.
    const samples: { percent: number; log: number }[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const percent = Number(await page.getAttribute('.progress.big .bar', 'aria-valuenow'));
      const log = (await page.textContent('#build-log').catch(() => ''))?.length ?? 0;
      samples.push({ percent, log });
      if (percent === 100 && /Build complete/.test((await page.textContent('#build-log').catch(() => '')) ?? '')) break;
      await page.waitForTimeout(100);
    }
    const percents = [...new Set(samples.map((x) => x.percent))];
    assert.ok(percents.filter((p) => p > 0 && p < 100).length >= 2, `progress values seen: ${percents}`);
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i].percent >= samples[i - 1].percent, 'progress never goes backwards on the page');
    const logSizes = [...new Set(samples.map((x) => x.log))].filter((n) => n > 0);
    assert.ok(logSizes.length >= 3, `the log grew in steps: ${logSizes}`);
    assert.match((await page.textContent('#build-log'))!, /Mock step 4 of 4/);
    page.off('request', count);
    // Progress came over the event stream: the image document was fetched once or on status changes, not every second.
    assert.ok(detailFetches <= 4, `image document fetched ${detailFetches} times`);
  });

  test('the tree shows the image name as text (escaped), with status and progress', async () => {
    await page.click('nav a[data-route=images]');
    await page.waitForSelector(`tr[data-id="${slowId}"]`);
    assert.equal(await page.textContent(`tr[data-id="${slowId}"] td.name a`), '<script>alert("x")</script>');
    assert.equal(await page.evaluate(() => document.scripts.length), 1, 'no script element came from data');
    assert.deepEqual(dialogs, []);
  });

  test('building a target from the base image and the catalog views', async () => {
    await waitForStored(d, slowId, 'COMPLETE');
    await page.click(`tr[data-id="${slowId}"] td.name a`);
    await page.click('text=Build target image');
    await page.waitForSelector('#target option[value=MockCloud]', { state: 'attached' });
    await page.selectOption('#target', 'MockCloud');
    await page.click('.inline-form button[type=submit]');
    await page.waitForURL(/#\/image\/target_image\//);
    const targetId = decodeURIComponent(page.url().split('/').pop()!);
    await page.waitForFunction(() => document.querySelector('h1 .badge')?.textContent === 'COMPLETE', undefined, { timeout: 30_000 });
    // Push with inline credentials: the secret goes to the API once and is never shown back.
    await page.click('text=Push to provider');
    await page.waitForSelector('#provider option', { state: 'attached' });
    await page.selectOption('#cred-mode', 'inline');
    await page.fill('#pf-name', 'dash-provider');
    await page.fill('#cf-token', INLINE_TOKEN);
    await page.click('.inline-form button[type=submit]');
    await page.waitForURL(/#\/image\/provider_image\//);
    await page.waitForSelector('h1 .badge');
    assert.ok(!(await page.content()).includes(INLINE_TOKEN));
    await page.goto(`${d.url}/#/`);
    await page.waitForSelector(`tr[data-id="${targetId}"]`);
    await page.click('nav a[data-route=catalog]');
    await page.waitForSelector('table.grid tbody tr');
  });

  test('cancel a running build from its page', async () => {
    const res = await page.evaluate(async (tpl) => {
      const s = await (await fetch('/dashboard/session')).json();
      const r = await fetch('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body: JSON.stringify({ base_image: { template: tpl, parameters: { mock_delay_ms: 60000 } } }) });
      return { status: r.status, body: await r.json() };
    }, mockTemplate('to-cancel'));
    assert.equal(res.status, 202);
    const id = res.body.base_image.id as string;
    await page.goto(`${d.url}/#/image/base_image/${id}`);
    await page.waitForSelector('text=Cancel build');
    await page.click('.actions button.danger');
    await page.click('.inline-form button.danger');
    await waitForGone(d, id);
  });

  test('delete from an image page: the API\'s 409 while images are built from it, then gone', async () => {
    await page.goto(`${d.url}/#/image/base_image/${slowId}`);
    await page.waitForSelector('.actions button.danger');
    assert.equal(await page.textContent('.actions button.danger'), 'Delete');
    await page.click('.actions button.danger');
    await page.click('.inline-form button.danger');
    // The base image has a target image (built above): the API's own message is shown, nothing goes.
    await page.waitForSelector('text=/cannot be deleted: .* built from it/');
    assert.equal(await storedStatus(d, slowId), 'COMPLETE');
    // A finished image without children goes.
    const res = await page.evaluate(async (tpl) => {
      const s = await (await fetch('/dashboard/session')).json();
      const r = await fetch('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body: JSON.stringify({ base_image: { template: tpl, parameters: { build_cache: false } } }) });
      return { status: r.status, body: await r.json() };
    }, mockTemplate('to-delete'));
    assert.equal(res.status, 202);
    const id = res.body.base_image.id as string;
    await waitForStored(d, id, 'COMPLETE');
    await page.goto(`${d.url}/#/image/base_image/${id}`);
    await page.waitForSelector('.actions button.danger');
    await page.click('.actions button.danger');
    await page.click('.inline-form button.danger');
    await waitForGone(d, id);
  });

  test('writes without the CSRF token are refused even with the session cookie', async () => {
    const status = await page.evaluate(async (tpl) => (await fetch('/imagefactory/base_images', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ base_image: { template: tpl } }) })).status, mockTemplate('csrf'));
    assert.equal(status, 401);
    assert.ok(!(await page.content()).includes(CLIENT.secret));
    assert.deepEqual(pageErrors, []);
  });

  test('a configured dashboard user logs in too', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${d.url}/dashboard`);
    await p.fill('#login', USER.login);
    await p.fill('#secret', USER.password);
    await p.click('form.login button[type=submit]');
    await p.waitForSelector('table.tree');
    assert.equal(await p.textContent('#user span'), USER.login);
    await p.click('text=Log out');
    await p.waitForSelector('form.login');
    await ctx.close();
  });
});

async function waitForStored(d: TestDaemon, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await storedStatus(d, id) === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`image ${id} did not reach ${status}`);
}

async function waitForGone(d: TestDaemon, id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await storedStatus(d, id) === undefined) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`image ${id} was not deleted`);
}
