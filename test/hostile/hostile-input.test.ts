import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { authorizationHeader, oauthEncode, sign } from '../../src/domain/oauth-signature.js';
import { basic, eventually, startCatalogDaemon } from '../catalog/catalog-fixtures.js';
import { mockTemplate, type TestDaemon } from '../helpers/test-daemon.js';
import { generateCorpus, type CorpusTargets, type HostileRequest, type OAuthMode } from './hostile-corpus.js';

/**
 * Thousands of generated hostile requests against a daemon listening on loopback, with all four
 * APIs mounted and OAuth on, sent over real keep-alive sockets (and raw sockets for bytes no client
 * library sends). Asserts: no 5xx, no connection reset, nothing created or removed, daemon alive.
 * HOSTILE_SEED reproduces a run; HOSTILE_COUNT changes its size.
 */
const SEED = Number(process.env.HOSTILE_SEED ?? 20261130);
const COUNT = Number(process.env.HOSTILE_COUNT ?? 5200);
const CONCURRENCY = 6;
const BODY_LIMIT = 256 * 1024;
const CONSUMER = { key: 'hostile-client', secret: 'hostile-secret' };
const NOVA_TOKEN = 'hostile-token';

interface Outcome { req: HostileRequest; index: number; status?: number; error?: string }

describe(`hostile input (seed ${SEED}, ${COUNT} requests)`, () => {
  let d: TestDaemon;
  let targets: CorpusTargets;
  let stateBefore: string;
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000, pipelining: 1 });

  const signed = (method: string, path: string) => ({ authorization: authorizationHeader(CONSUMER, method, `${d.url}${path}`) });

  before(async () => {
    console.log(`# hostile-input seed ${SEED} (rerun with HOSTILE_SEED=${SEED})`);
    d = await startCatalogDaemon({
      flags: { no_oauth: false, max_body_bytes: BODY_LIMIT },
      file: { clients: { [CONSUMER.key]: CONSUMER.secret }, oauth_open_reads: false, nova_tokens: { [NOVA_TOKEN]: 'abc123' }, foreman_users: { admin: 'pw' }, hostway_users: { hw: 'hwpw' } },
    });
    // A base and a target image in the factory (and so in the catalog), a Foreman image, Nova metadata.
    const factory = await signedTargetImage(d, signed);
    const foremanAuth = basic('admin', 'pw');
    const fm = async (path: string, body: unknown) => {
      const res = await fetch(`${d.url}${path}`, { method: 'POST', headers: { authorization: foremanAuth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 201, `${path}: ${await res.clone().text()}`);
      return await res.json() as { id: number };
    };
    const cr = await fm('/api/compute_resources', { compute_resource: { name: 'hostile-lab', provider: 'Libvirt' } });
    const os = await fm('/api/operatingsystems', { operatingsystem: { name: 'HostileOS', major: '12' } });
    const arch = await fm('/api/architectures', { architecture: { name: 'hostile_arch' } });
    const img = await fm(`/api/compute_resources/${cr.id}/images`, { image: { name: 'registered', username: 'debian', uuid: 'u-1', operatingsystem_id: os.id, architecture_id: arch.id } });
    const nova = (path: string, init: RequestInit = {}) => fetch(`${d.url}${path}`, { ...init, headers: { 'x-auth-token': NOVA_TOKEN, 'content-type': 'application/json' } });
    await eventually(async () => (await nova(`/v2.1/images/${factory.targetImageId}`)).status === 200, 'the factory image in the catalog');
    const put = await nova(`/v2.1/images/${factory.targetImageId}/metadata`, { method: 'PUT', body: JSON.stringify({ metadata: { keep: 'me', constructor: 'own' } }) });
    assert.equal(put.status, 200);
    targets = {
      baseImageId: factory.baseImageId, targetImageId: factory.targetImageId, novaImageId: factory.targetImageId,
      foremanImageId: img.id, computeResourceId: cr.id, novaToken: NOVA_TOKEN, foremanAuth, hostwayAuth: basic('hw', 'hwpw'), bodyLimit: BODY_LIMIT,
    };
    stateBefore = await snapshot(d);
  });
  after(async () => { await agent.close(); await d?.stop(); });

  test('no 5xx, no reset, nothing created or removed, daemon alive', async () => {
    const corpus = generateCorpus(SEED, targets, COUNT);
    const perApi = new Map<string, number>();
    for (const r of corpus) perApi.set(r.api, (perApi.get(r.api) ?? 0) + 1);
    for (const api of ['imagefactory', 'nova', 'foreman', 'hostway']) assert.ok((perApi.get(api) ?? 0) >= COUNT / 20, `${api}: ${perApi.get(api)} requests`);

    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < corpus.length) {
        const index = next++;
        outcomes.push(await send(d.url, agent, corpus[index]!, index));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const show = (o: Outcome) => `#${o.index} [${o.req.api}] ${o.req.label} ${o.req.method} ${o.req.path.slice(0, 100)} → ${o.status ?? o.error}`;
    const serverErrors = outcomes.filter((o) => o.status !== undefined && o.status >= 500);
    const resets = outcomes.filter((o) => o.error !== undefined);
    const accepted = outcomes.filter((o) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(o.req.method) && o.status !== undefined && o.status < 400);
    const replays = outcomes.filter((o) => o.req.oauth === 'replayed' && o.status !== 401);
    const byStatus = new Map<number, number>();
    for (const o of outcomes) if (o.status !== undefined) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    console.log(`# ${outcomes.length} requests: ${[...perApi].map(([a, n]) => `${a} ${n}`).join(', ')}; statuses ${[...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`);

    assert.equal(outcomes.length, corpus.length);
    assert.deepEqual(serverErrors.map(show), [], '5xx answers');
    assert.deepEqual(resets.map(show), [], 'connection errors');
    assert.deepEqual(accepted.map(show), [], 'state-changing requests that were accepted');
    assert.deepEqual(replays.map(show), [], 'replayed OAuth headers that were not refused');
    assert.equal(await snapshot(d), stateBefore, 'records and files are exactly as before');

    // Alive: every API still answers a normal request.
    assert.equal((await request(`${d.url}/imagefactory/base_images/${targets.baseImageId}`, { headers: signed('GET', `/imagefactory/base_images/${targets.baseImageId}`) })).statusCode, 200);
    assert.equal((await request(`${d.url}/v2.1/images/${targets.novaImageId}`, { headers: { 'x-auth-token': NOVA_TOKEN } })).statusCode, 200);
    assert.equal((await request(`${d.url}/api/compute_resources/${targets.computeResourceId}/images/${targets.foremanImageId}`, { headers: { authorization: targets.foremanAuth } })).statusCode, 200);
    assert.equal((await request(`${d.url}/images/${targets.novaImageId}`, { headers: { authorization: targets.hostwayAuth } })).statusCode, 200);
  });
});

/** Builds a mock target image (and its base) through the signed API; returns both ids. */
async function signedTargetImage(d: TestDaemon, signed: (m: string, p: string) => Record<string, string>): Promise<{ baseImageId: string; targetImageId: string }> {
  const res = await fetch(`${d.url}/imagefactory/target_images`, {
    method: 'POST', headers: { ...signed('POST', '/imagefactory/target_images'), 'content-type': 'application/json' },
    body: JSON.stringify({ target_image: { target: 'mock', template: mockTemplate('hostile-seed') } }),
  });
  assert.equal(res.status, 202, await res.clone().text());
  const t = (await res.json() as { target_image: { id: string; base_image_id: string } }).target_image;
  await eventually(async () => {
    const r = await fetch(`${d.url}/imagefactory/target_images/${t.id}`, { headers: signed('GET', `/imagefactory/target_images/${t.id}`) });
    return r.status === 200 && ((await r.json()) as { target_image: { status: string } }).target_image.status === 'COMPLETE';
  }, 'the seed target image', 30_000);
  return { baseImageId: t.base_image_id, targetImageId: t.id };
}

/** Every factory record, every catalog row and every stored file (path and size), as one string. */
async function snapshot(d: TestDaemon): Promise<string> {
  const images = (await d.container.store.list()).map((i) => `${i.kind} ${i.id} ${i.status}`).sort();
  const tables: Record<string, unknown[]> = {};
  for (const table of ['catalog_images', 'catalog_image_metadata', 'catalog_compute_resources', 'catalog_operatingsystems', 'catalog_architectures']) {
    tables[table] = await d.container.db.selectFrom(table as never).selectAll().execute();
  }
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else files.push(`${p.slice(d.dataDir.length)} ${(await stat(p)).size}`);
    }
  };
  await walk(join(d.dataDir, 'storage'));
  return JSON.stringify({ images, tables, files: files.sort() }, null, 1);
}

async function send(base: string, agent: Agent, req: HostileRequest, index: number): Promise<Outcome> {
  if (req.raw) return sendRaw(base, req, index);
  try {
    const headers = { ...req.headers };
    if (req.oauth) Object.assign(headers, oauthHeaders(base, req, req.oauth));
    const res = await request(`${base}${req.path}`, { method: req.method as 'GET', headers, body: req.body, dispatcher: agent });
    await res.body.dump({ limit: 8 * 1024 * 1024 });
    if (req.oauth === 'replayed') {
      // The identical header again: the nonce was seen, so it must be refused.
      const again = await request(`${base}${req.path}`, { method: req.method as 'GET', headers, dispatcher: agent });
      await again.body.dump();
      return { req, index, status: again.statusCode };
    }
    return { req, index, status: res.statusCode };
  } catch (e) {
    return { req, index, error: `${(e as Error).name}: ${(e as Error).message} ${(e as { code?: string }).code ?? ''}` };
  }
}

/** One request over a fresh socket; the status line of the answer, or the socket error. */
function sendRaw(base: string, req: HostileRequest, index: number): Promise<Outcome> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(req.raw!));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => resolve({ req, index, error: `${e.name}: ${e.message}` }));
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
      resolve(m ? { req, index, status: Number(m[1]) } : { req, index, error: 'closed without an HTTP answer' });
    });
  });
}

/** The Authorization header for an OAuth mode, made fresh for each request (nonce, timestamp). */
function oauthHeaders(base: string, req: HostileRequest, mode: OAuthMode): Record<string, string> {
  const url = `${base}${req.path}`;
  const header = (fields: Record<string, string>) => ({ authorization: `OAuth ${Object.entries(fields).map(([k, v]) => `${oauthEncode(k)}="${oauthEncode(v)}"`).join(', ')}` });
  const signedFields = (opts: { key?: string; secret?: string; method?: string; timestamp?: number; nonce?: string } = {}) => {
    const fields: Record<string, string> = {
      oauth_consumer_key: opts.key ?? CONSUMER.key, oauth_nonce: opts.nonce ?? randomBytes(16).toString('hex'), oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)), oauth_version: '1.0',
    };
    const query = [...new URL(url).searchParams.entries()];
    fields.oauth_signature = sign(opts.method ?? req.method, url, [...Object.entries(fields), ...query], opts.secret ?? CONSUMER.secret);
    return fields;
  };
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'none': return {};
    case 'valid': case 'replayed': return header(signedFields());
    case 'forged-signature': return header({ ...signedFields(), oauth_signature: randomBytes(20).toString('base64') });
    case 'unknown-consumer': return header(signedFields({ key: 'nobody' }));
    case 'prototype-consumer': return header(signedFields({ key: 'constructor', secret: '' }));
    case 'future': return header(signedFields({ timestamp: now + 3600 }));
    case 'past': return header(signedFields({ timestamp: now - 3600 }));
    case 'huge-nonce': return header(signedFields({ nonce: 'n'.repeat(5000) }));
    case 'wrong-method': return header(signedFields({ method: req.method === 'GET' ? 'DELETE' : 'GET' }));
    case 'garbage-header': return { authorization: `OAuth oauth_consumer_key=${CONSUMER.key}, oauth_signature="=", ,,, ="", oauth_nonce="%zz", oauth_timestamp="1e309"` };
  }
}
