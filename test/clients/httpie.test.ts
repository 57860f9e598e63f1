/**
 * The examples of Image Factory's REST API manual (documentation/rest-api.markdown), run with the
 * real HTTPie client against our daemon: the same commands users copy from the manual.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon } from '../helpers/test-daemon.js';

/** Runs `http ARGS` with optional stdin (as `cat | http …` in the manual); returns status line, headers and body. */
function http(args: string[], stdin?: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    // Without input, behave as in a terminal (HTTPie would otherwise send the empty pipe as a body).
    const child = spawn('http', ['--print=hb', '--pretty=none', ...(stdin === undefined ? ['--ignore-stdin'] : []), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = ''; let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('error', reject);
    child.on('close', () => {
      const [head, ...rest] = out.split(/\r?\n\r?\n/);
      const m = /^HTTP\/[\d.]+ (\d+)/.exec(head);
      if (!m) return reject(new Error(`http ${args.join(' ')}: ${err || out}`));
      resolve({ status: Number(m[1]), headers: head, body: rest.join('\n\n').trim() });
    });
    child.stdin.end(stdin ?? '');
  });
}

describe('the manual\'s HTTPie examples', () => {
  let d: TestDaemon;
  let u: string;
  before(async () => { d = await startTestDaemon(); u = `${d.url}/imagefactory`; });
  after(async () => { await d.stop(); });

  test('http GET /imagefactory and a collection', async () => {
    const info = await http([u]);
    assert.equal(info.status, 200);
    assert.equal(JSON.parse(info.body).api_version, '2.0');
    const list = await http([`${u}/target_images`]);
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(JSON.parse(list.body).target_images));
  });

  test('cat | http POST …/base_images (JSON on stdin), inspect, then target via XML, provider via form, DELETE', async () => {
    const created = await http(['POST', `${u}/base_images`], JSON.stringify({ base_image: { template: mockTemplate('f17jeos') } }));
    assert.equal(created.status, 202, created.body);
    const base = JSON.parse(created.body).base_image;
    assert.equal(base.status, 'NEW');
    assert.equal(base.status_detail.activity, 'Initializing image prior to Cloud/OS customization');
    await waitForStatus(d.url, `/imagefactory/base_images/${base.id}`, ['COMPLETE']);

    const inspect = await http([`${u}/base_images/${base.id}`]);
    assert.equal(inspect.status, 200);
    assert.deepEqual(JSON.parse(inspect.body).base_image.target_images, { target_images: [] });

    const target = await http(['POST', `${u}/base_images/${base.id}/target_images`, 'Content-Type:application/xml'], '<target_image>\n    <target>mock</target>\n</target_image>\n');
    assert.equal(target.status, 202, target.body);
    const t = JSON.parse(target.body).target_image;
    assert.equal(t.base_image_id, base.id);
    assert.equal(t.href, `${u}/base_images/${base.id}/target_images/${t.id}`);
    await waitForStatus(d.url, `/imagefactory/target_images/${t.id}`, ['COMPLETE']);

    const creds = join(d.dataDir, 'creds.xml');
    await writeFile(creds, '<provider_credentials>\n  <mock_credentials><token>SECRET-TOKEN</token></mock_credentials>\n</provider_credentials>\n');
    const provider = await http(['-f', 'POST', `${u}/base_images/${base.id}/target_images/${t.id}/provider_images`, 'target=mock', 'provider=mock-us-east-1', `credentials=@${creds}`]);
    assert.equal(provider.status, 202, provider.body);
    assert.doesNotMatch(provider.body, /SECRET-TOKEN/);
    const p = JSON.parse(provider.body).provider_image;
    assert.equal(p.target_image_id, t.id);
    assert.equal(p.provider, 'mock-us-east-1');
    await waitForStatus(d.url, `/imagefactory/provider_images/${p.id}`, ['COMPLETE']);

    // A target image with a provider image is not deleted from under it: 409 naming the child.
    const refused = await http(['DELETE', `${u}/target_images/${t.id}`]);
    assert.equal(refused.status, 409, refused.body);
    assert.match(refused.body, new RegExp(p.id));
    const delProvider = await http(['-f', 'DELETE', `${u}/provider_images/${p.id}`, 'target=mock', 'provider=mock-us-east-1', `credentials=@${creds}`]);
    assert.equal(delProvider.status, 204, delProvider.body);
    for (let i = 0; i < 100 && (await fetch(`${d.url}/imagefactory/provider_images/${p.id}`)).status !== 404; i++) await new Promise((r) => setTimeout(r, 50));
    const del = await http(['DELETE', `${u}/target_images/${t.id}`]);
    assert.equal(del.status, 204, del.body);
    const plugins = await http([`${u}/plugins`]);
    assert.equal(plugins.status, 200);
    const one = await http([`${u}/plugins/MockCloud`]);
    assert.equal(JSON.parse(one.body).href, `${u}/plugins/MockCloud`);
  });

  test('http --form POST with a template file, and XML responses on request', async () => {
    const tdl = join(d.dataDir, 'x.tdl');
    await writeFile(tdl, mockTemplate('form-file'));
    const res = await http(['--form', 'POST', `${u}/base_images`, `template=@${tdl}`]);
    assert.equal(res.status, 202, res.body);
    const xml = await http([`${u}/base_images`, 'Accept:application/xml']);
    assert.match(xml.headers, /content-type: application\/xml/i);
    assert.match(xml.body, /<base_image type="BaseImage">/);
  });

  test('the README\'s `http POST $U/base_images template=@debian.tdl` (an unwrapped JSON body) is accepted', async () => {
    const tdl = join(d.dataDir, 'debian.tdl');
    await writeFile(tdl, mockTemplate('httpie-json'));
    const res = await http(['POST', `${u}/base_images`, `template=@${tdl}`]);
    assert.equal(res.status, 202, res.body);
    assert.match(JSON.parse(res.body).base_image.template, /<name>httpie-json<\/name>/);
  });
});
