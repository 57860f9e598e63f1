/**
 * A seeded generator of hostile requests for the four APIs (Image Factory, Nova, Foreman, Hostway).
 * The same seed always yields the same corpus, so a failing request can be reproduced from the seed
 * the suite prints. Every request that could change state (POST, PUT, PATCH, DELETE) is built to be
 * refused, so the suite can assert that nothing was created or removed.
 */

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; enough for test-case selection. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Api = 'imagefactory' | 'nova' | 'foreman' | 'hostway';

/** How the Image Factory OAuth header is made at send time (nonces and timestamps must be fresh). */
export type OAuthMode = 'valid' | 'none' | 'forged-signature' | 'unknown-consumer' | 'prototype-consumer' | 'replayed'
  | 'future' | 'past' | 'garbage-header' | 'huge-nonce' | 'wrong-method';

export interface HostileRequest {
  api: Api;
  /** What the request tries, for the failure report. */
  label: string;
  method: string;
  /** Path and query, sent as written (already percent-encoded where needed). */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Image Factory only. */
  oauth?: OAuthMode;
  /** Sent over a raw socket (bytes undici refuses to put in a request line or header). */
  raw?: Buffer;
}

/** Ids that exist in the daemon, so hostile requests also reach the code behind the lookups. */
export interface CorpusTargets {
  baseImageId: string;
  targetImageId: string;
  novaImageId: string;
  foremanImageId: number;
  computeResourceId: number;
  novaToken: string;
  foremanAuth: string;
  hostwayAuth: string;
  bodyLimit: number;
}

type Pick = <T>(items: readonly T[]) => T;

const UUID0 = '00000000-0000-0000-0000-000000000000';
const FACTORY_COLLECTIONS = ['base_images', 'target_images', 'provider_images'] as const;
const SINGULAR: Record<string, string> = { base_images: 'base_image', target_images: 'target_image', provider_images: 'provider_image' };

/** Strings a hostile client puts where an id or name belongs. */
const HOSTILE_IDS = [
  '..%2F..%2F..%2Fetc%2Fpasswd', '..%2f..%2fetc%2fshadow', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%252F..%252Fetc', '%00', 'abc%00def',
  '%ff%fe%fd', '%c0%ae%c0%ae%2f', '%e2%80%ae', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', '-1', '0',
  '99999999999999999999999', '1e309', 'NaN', 'null', 'undefined', '%20', '%0d%0aSet-Cookie:%20x=1', '%27%20OR%201=1--', '%22%3E%3Cscript%3E',
  'a'.repeat(2000), '%u2215etc', '..%5C..%5Cwindows', '.', '..', '%2e', '*', '%25', '12-%2e%2e', UUID0, UUID0.toUpperCase(),
];

const HOSTILE_QUERY_VALUES = [
  '-1', '0', '1e309', '-0', '99999999999999999999999999', 'NaN', 'Infinity', 'abc', '', '%00', '%ff', '1.5', '0x10', ' 5', '5%20',
  '2147483648', '9007199254740993', 'all', 'ALL', '1,2', '[]', '{}', 'null', '%2e%2e%2f', 'a'.repeat(3000),
];

export function generateCorpus(seed: number, t: CorpusTargets, count: number): HostileRequest[] {
  const rand = prng(seed);
  const pick: Pick = (items) => items[Math.floor(rand() * items.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const makers: [number, () => HostileRequest][] = [
    [14, () => factoryPost(pick, int, t)],
    [6, () => factoryRead(pick, t)],
    [3, () => factoryDelete(pick, t)],
    [3, () => factoryImport(pick, int, t)],
    [5, () => factoryOAuth(pick, t)],
    [10, () => nova(pick, int, t)],
    [10, () => foreman(pick, int, t)],
    [6, () => hostway(pick, t)],
    [3, () => rawBytes(pick, t)],
  ];
  const total = makers.reduce((n, [w]) => n + w, 0);
  const out: HostileRequest[] = [];
  while (out.length < count) {
    let r = rand() * total;
    for (const [w, make] of makers) {
      if ((r -= w) < 0) { out.push(make()); break; }
    }
  }
  return out;
}

// ---- bodies ----------------------------------------------------------------------------------

const nestedJson = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
const nestedArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedXml = (depth: number, name = 'a') => `${`<${name}>`.repeat(depth)}${`</${name}>`.repeat(depth)}`;

const BAD_TEMPLATES = [
  '', 'x', '<template>', '<template><name>x</name></template>', '/etc/passwd', 'file:///etc/passwd', 'http://127.0.0.1:9/t.tdl',
  'ftp://127.0.0.1/t.tdl', `${UUID0}`, '<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><template><name>&x;</name></template>',
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><template><name>&lol2;</name></template>',
  `<template>${nestedXml(40, 'os')}</template>`, `<template>${nestedXml(5000, 'x')}</template>`,
  '<template><name>m</name><os><name>MockOS_A</name><version>1</version><arch>x86_64</arch><install type="url"><url>http://mirror.invalid/</url></install></os><disk><size>100MB</size></disk></template>',
  '<template><name>m</name><os><name>Plan9</name><version>4</version><arch>x86_64</arch><install type="url"><url>http://m.invalid/</url></install></os></template>',
  '<template><name>m</name><os><name>Debian</name><version>12</version><arch>x86_64</arch><install type="iso"><iso>http://m.invalid/x.iso</iso></install></os></template>',
  '<template xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></template>',
  '<template><name>\u0000</name></template>', '<template><name>\ud800</name></template>', '\uFEFF<template/>',
];

function templateValue(pick: Pick): unknown {
  return pick<unknown>([pick(BAD_TEMPLATES), pick(BAD_TEMPLATES), 42, null, true, [], {}, ['<template/>'], { a: 1 }]);
}

function factoryJsonBody(pick: Pick, int: (a: number, b: number) => number, kind: string): string {
  const fields = (): Record<string, unknown> => {
    const f: Record<string, unknown> = { template: templateValue(pick) };
    if (kind !== 'base_image') f.target = pick<unknown>(['nocloud', '', 42, null, '../x', 'mock', 'constructor']);
    if (kind === 'provider_image') {
      f.provider = pick<unknown>(['bad-provider', '', { a: 1 }, null, 'p']);
      f.credentials = pick<unknown>(['', 'c', null, { secret: 'x' }]);
    }
    const p = pick<unknown>([undefined, null, 'str', '{}', [1], 42, { callbacks: 'x' }, JSON.parse(nestedJson(int(20, 31)))]);
    if (p !== undefined) f.parameters = p;
    return f;
  };
  return pick([
    () => '{', () => '{"a":', () => '[', () => '"str"', () => 'null', () => '42', () => '{"a":1}{"b":2}', () => '\u0000{}',
    () => `{"${kind}":${nestedJson(int(33, 8000))}}`, () => nestedArray(int(33, 20000)), () => nestedJson(int(1000, 30000)),
    () => JSON.stringify({ [kind]: fields() }), () => JSON.stringify(fields()), () => JSON.stringify({ [kind]: 'x' }),
    () => JSON.stringify({ [kind]: {} }), () => JSON.stringify({}), () => `{"__proto__":{"template":"x"},"${kind}":{"constructor":1}}`,
    () => JSON.stringify({ [kind]: { template: 'x'.repeat(int(1000, 50000)) } }),
    () => `{"${kind}":{"template":"\\ud800\\udc00\\ud800"}}`,
  ])();
}

function factoryXmlBody(pick: Pick, int: (a: number, b: number) => number, kind: string): string {
  return pick([
    () => nestedXml(int(33, 12000)), () => `<${kind}>${nestedXml(int(33, 5000), 'parameters')}</${kind}>`,
    () => `<${kind}><template>x</template></${kind}><${kind}/>`, () => `<${kind}>`, () => '<', () => '<?xml version="1.0"?>',
    () => `<!DOCTYPE ${kind} [<!ENTITY a "${'x'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><${kind}><template>&b;</template></${kind}>`,
    () => `<!DOCTYPE ${kind} SYSTEM "http://127.0.0.1:9/x.dtd"><${kind}/>`, () => `<${kind}><__proto__><template>x</template></__proto__></${kind}>`,
    () => `<${kind}><template>&lt;template/&gt;</template><parameters type__="list"/></${kind}>`,
    () => `<${kind} a="1" a="2"/>`, () => `<${kind}><![CDATA[${'x'.repeat(int(10, 1000))}]]></${kind}>`,
    () => `<${kind}><!-- ${'-'.repeat(100)} --></${kind}>`, () => `<${kind}><template>${escapeXml(pick(BAD_TEMPLATES))}</template></${kind}>`,
    () => `<${kind}>\u0000</${kind}>`,
  ])();
}

/** Percent-encodes a string; lone surrogates (which encodeURIComponent refuses) become %ED%A0%80-style bytes. */
function urlEncode(s: string): string {
  return s.replace(/[\ud800-\udfff]/g, '\u0000').split('\u0000').map(encodeURIComponent).join('%ED%A0%80');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function multipartBody(pick: Pick, int: (a: number, b: number) => number, limit: number): { type: string; body: string } {
  const b = `hb${int(1000, 9999)}`;
  const part = (name: string, value: string, eol = '\r\n') => `--${b}${eol}Content-Disposition: form-data; name="${name}"${eol}${eol}${value}${eol}`;
  return pick([
    () => ({ type: 'multipart/form-data', body: part('template', 'x') + `--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}x`, body: part('template', 'x') + `--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: part('template', 'x') }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: part('template', 'x', '\n') + `--${b}--\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: `--${b}\r\ngarbage\r\n\r\nx\r\n--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: JSON.stringify({ base_image: { template: 'x' } }) }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: part('template', 'x'.repeat(limit + int(1, 50000))) + `--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: part('__proto__', 'x') + `--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: part('parameters', nestedJson(int(33, 3000))) + part('template', 'x') + `--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: Array.from({ length: int(101, 300) }, (_, i) => part(`f${i}`, 'v')).join('') + `--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: `--${b}\r\nContent-Disposition: form-data; name="disk"; filename="d.raw"\r\nContent-Type: application/octet-stream\r\n\r\n${'\u0000'.repeat(int(1, 3000))}\r\n--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: `--${b}--\r\n` }),
    () => ({ type: `multipart/form-data; boundary="${'b'.repeat(200)}"`, body: 'x' }),
    () => ({ type: `multipart/form-data; boundary=${b}`, body: `--${b}\r\nContent-Disposition: form-data; name="template"\r\nContent-Type: application/json\r\n\r\n{bad\r\n--${b}--\r\n` }),
  ])();
}

// ---- Image Factory ---------------------------------------------------------------------------

function factoryPost(pick: Pick, int: (a: number, b: number) => number, t: CorpusTargets): HostileRequest {
  const c = pick(FACTORY_COLLECTIONS);
  const kind = SINGULAR[c]!;
  const prefix = pick(['', `/base_images/${t.baseImageId}`, `/target_images/${t.targetImageId}`, `/base_images/${pick(HOSTILE_IDS)}`]);
  const path = `/imagefactory${prefix}/${c}`;
  const shape = pick(['json', 'json', 'xml', 'text/xml', 'multipart', 'form', 'oversize', 'type', 'utf8']);
  const req = (headers: Record<string, string>, body: string | Buffer, label: string): HostileRequest =>
    ({ api: 'imagefactory', label: `POST ${c}: ${label}`, method: 'POST', path, headers, body, oauth: pick<OAuthMode>(['valid', 'valid', 'valid', 'none', 'forged-signature']) });
  switch (shape) {
    case 'json': return req({ 'content-type': pick(['application/json', 'application/json; charset=utf-8', 'application/JSON']) }, factoryJsonBody(pick, int, kind), 'JSON');
    case 'xml': return req({ 'content-type': 'application/xml' }, factoryXmlBody(pick, int, kind), 'application/xml');
    case 'text/xml': return req({ 'content-type': 'text/xml' }, factoryXmlBody(pick, int, kind), 'text/xml');
    case 'multipart': { const m = multipartBody(pick, int, t.bodyLimit); return req({ 'content-type': m.type }, m.body, 'multipart'); }
    case 'form': return req({ 'content-type': 'application/x-www-form-urlencoded' }, pick([
      `template=${urlEncode(pick(BAD_TEMPLATES))}`, 'parameters=%7B', `parameters=${encodeURIComponent(nestedJson(int(33, 3000)))}&template=x`,
      '%', '=&=&=', `${'a=1&'.repeat(int(1000, 3000))}`, 'template=%ff%fe', '__proto__[template]=x', 'template[]=a&template[]=b',
    ]), 'form');
    case 'oversize': return req({ 'content-type': pick(['application/json', 'application/xml', 'application/x-www-form-urlencoded']) },
      `{"${kind}":{"template":"${'x'.repeat(t.bodyLimit + int(1, 100_000))}"}}`, 'oversize body');
    case 'type': return req({ 'content-type': pick(['text/plain', 'application/octet-stream', 'image/png', 'application/json;;;', '*/*', 'multipart/mixed; boundary=x', 'application/x-www-form-urlencoded; charset=ebcdic', '', 'application']) }, '{"x":1}', 'wrong Content-Type');
    default: return req({ 'content-type': pick(['application/json', 'application/xml']) },
      Buffer.concat([Buffer.from(`{"${kind}":{"template":"`), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x00]), Buffer.from('"}}')]), 'invalid UTF-8 and NUL');
  }
}

function factoryRead(pick: Pick, t: CorpusTargets): HostileRequest {
  const id = pick([...HOSTILE_IDS, t.baseImageId, t.targetImageId]);
  const c = pick(FACTORY_COLLECTIONS);
  const path = pick([
    `/imagefactory/${c}/${id}`, `/imagefactory/${c}/${id}/raw_image`, `/imagefactory/${c}/${id}/log?follow=${pick(['true', 'x', '%00'])}`,
    `/imagefactory/base_images/${id}/serial_log`, `/imagefactory/base_images/${id}/sbom`, `/imagefactory/base_images/${id}/target_images/${id}/provider_images`,
    `/imagefactory/plugins/${id}`, `/imagefactory/targets/${id}/providers/${id}`, `/imagefactory/jeos/images/${id}`, `/imagefactory/${id}`,
    `/imagefactory/${c}?${pick(HOSTILE_QUERY_VALUES)}=${pick(HOSTILE_QUERY_VALUES)}`, `/imagefactory/../../../etc/passwd`, `/imagefactory//${c}`,
    `/imagefactory/base_images/${t.baseImageId}/raw_image`, `/imagefactory/target_images/${t.targetImageId}/raw_image`,
  ]);
  const headers: Record<string, string> = {};
  if (pick([true, false])) headers.accept = pick(['application/xml', 'image/png', '*/*;q=abc', 'text/xml;q=0', 'application/json, */*;q=0.1', ',,,,', 'x'.repeat(2000)]);
  if (path.endsWith('raw_image')) headers.range = pick(['bytes=-0', 'bytes=0-', 'bytes=999999999999-', 'bytes=5-1', 'bytes=0-0,1-1,2-2', 'bytes=abc', 'bytes=-99999999999999999999', 'chars=0-1', 'bytes=0-1,']);
  if (pick([true, false])) headers['if-modified-since'] = pick(['garbage', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Sat, 31 Dec 275760 00:00:00 GMT']);
  return { api: 'imagefactory', label: `GET ${path.slice(0, 60)}`, method: pick(['GET', 'GET', 'HEAD']), path, headers, oauth: pick<OAuthMode>(['valid', 'valid', 'none']) };
}

function factoryDelete(pick: Pick, t: CorpusTargets): HostileRequest {
  const c = pick(FACTORY_COLLECTIONS);
  // Real ids only with credentials that must fail; otherwise ids that do not exist.
  const real = pick([true, false]);
  const id = real ? pick([t.baseImageId, t.targetImageId]) : pick(HOSTILE_IDS);
  const oauth: OAuthMode = real ? pick<OAuthMode>(['none', 'forged-signature', 'unknown-consumer', 'prototype-consumer', 'garbage-header', 'past', 'huge-nonce', 'wrong-method']) : pick<OAuthMode>(['valid', 'none']);
  const body = pick([undefined, '{', JSON.stringify({ [SINGULAR[c]!]: { provider: 'x', credentials: 'y', target: 'mock' } }), nestedJson(5000)]);
  return { api: 'imagefactory', label: `DELETE ${c}/${id.slice(0, 40)} oauth=${oauth}`, method: 'DELETE', path: `/imagefactory/${c}/${id}`,
    headers: body === undefined ? {} : { 'content-type': 'application/json' }, body, oauth };
}

function factoryImport(pick: Pick, int: (a: number, b: number) => number, t: CorpusTargets): HostileRequest {
  const query = pick([
    '?os_name=Debian&os_version=12&parameters=%7B', `?os_name=Debian&parameters=${encodeURIComponent(nestedJson(int(33, 2000)))}`, '?name=a&name=b',
    '?parameters=%5B1%5D', '?os_name=%00&os_version=%ff&parameters=null', '?format=../../etc&parameters=42', '?arch=x&arch=y',
  ]);
  const type = pick(['multipart/form-data; boundary=x', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined, 'application/octet-stream', 'application/octet-streamx', 'image/png']);
  const size = pick([0, 1, 512, int(1000, 300_000)]);
  const headers: Record<string, string> = type ? { 'content-type': type } : {};
  // Octet-stream bodies are only sent with a query the route refuses, so no import starts.
  return { api: 'imagefactory', label: `import type=${type ?? 'none'} ${query.slice(0, 40)}`, method: 'POST', path: `/imagefactory/base_images/import${query}`,
    headers, body: Buffer.alloc(size, 0x51), oauth: pick<OAuthMode>(['valid', 'valid', 'none', 'forged-signature']) };
}

function factoryOAuth(pick: Pick, t: CorpusTargets): HostileRequest {
  const oauth = pick<OAuthMode>(['forged-signature', 'unknown-consumer', 'prototype-consumer', 'replayed', 'future', 'past', 'garbage-header', 'huge-nonce', 'wrong-method', 'none']);
  const path = pick([`/imagefactory/base_images/${t.baseImageId}`, '/imagefactory/base_images', '/imagefactory/plugins', `/imagefactory/target_images?x=${pick(HOSTILE_QUERY_VALUES)}`]);
  return { api: 'imagefactory', label: `OAuth ${oauth} ${path.slice(0, 40)}`, method: 'GET', path, headers: {}, oauth };
}

// ---- Nova ------------------------------------------------------------------------------------

function nova(pick: Pick, int: (a: number, b: number) => number, t: CorpusTargets): HostileRequest {
  const token = pick([t.novaToken, t.novaToken, t.novaToken, '', 'wrong', 'constructor', '__proto__', 'x'.repeat(4000), `${t.novaToken} `, 'tok%00']);
  const prefix = pick(['/v2.1', '/v2.1/', `/v2.1/${pick(['abc123', '0ff1ce', '..', 'constructor', '%00'])}`]);
  const headers: Record<string, string> = { 'x-auth-token': token };
  if (pick([true, false, false])) headers['x-openstack-nova-api-version'] = pick(['2.1', '2.38', '2.39', '3.0', 'latest', 'garbage', '2.999999999999999999', '-1', '']);
  if (pick([true, false, false])) headers['openstack-api-version'] = pick(['compute 2.1', 'compute', 'volume 3.0', 'compute 99.99', 'compute x']);
  const id = pick([...HOSTILE_IDS, t.novaImageId, t.novaImageId]);
  const key = pick(['constructor', 'toString', '__proto__', 'valueOf', 'k', 'a'.repeat(300), '%00', 'bad%2Fkey', '..']);
  const shape = pick(['list', 'list', 'get', 'meta-get', 'meta-write', 'meta-write', 'meta-delete', 'delete']);
  switch (shape) {
    case 'list': {
      const name = pick(['limit', 'marker', 'changes-since', 'minRam', 'minDisk', 'status', 'name', 'type', 'server', 'property-x', 'sort_key']);
      return { api: 'nova', label: `list ${name}`, method: 'GET', path: `${prefix}/images${pick(['', '/detail'])}?${name}=${pick([...HOSTILE_QUERY_VALUES, ...HOSTILE_IDS])}&limit=${pick(HOSTILE_QUERY_VALUES)}`, headers };
    }
    case 'get': return { api: 'nova', label: 'get image', method: 'GET', path: `${prefix}/images/${id}`, headers };
    case 'meta-get': return { api: 'nova', label: `get meta ${key.slice(0, 20)}`, method: 'GET', path: `${prefix}/images/${id}/metadata/${key}`, headers };
    case 'meta-write': {
      const body = pick([
        () => `{"metadata":${nestedJson(int(33, 20000))}}`, () => `{"metadata":{"a":${nestedJson(int(33, 20000), '"x"')}}}`, () => nestedArray(int(33, 20000)),
        () => '{"metadata":', () => '', () => 'null', () => '{"metadata":null}', () => '{"metadata":[]}', () => '{"metadata":{"a":1}}',
        () => `{"metadata":{"${'k'.repeat(300)}":"v"}}`, () => `{"metadata":{"k":"${'v'.repeat(300)}"}}`, () => '{"metadata":{"bad/key":"v"}}',
        () => '{"metadata":{},"extra":1}', () => `{"meta":{"${key}":"v","other":"w"}}`, () => '{"meta":{}}',
        () => JSON.stringify({ metadata: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'])) }),
        () => '\u0000{"metadata":{}}', () => '{"metadata":{"a":"\\ud800"}}x',
        () => `{"metadata":{"k":"${'v'.repeat(t.bodyLimit + int(1, 50_000))}"}}`,
      ])();
      const perKey = pick([true, false]);
      return { api: 'nova', label: `meta write ${perKey ? 'key' : 'all'}`, method: pick(['POST', 'PUT']), path: `${prefix}/images/${id}/metadata${perKey ? `/${key}` : ''}`,
        headers: { ...headers, 'content-type': pick(['application/json', 'text/plain', 'application/xml', 'application/vnd.openstack.compute+json', 'multipart/form-data; boundary=x']) }, body };
    }
    case 'meta-delete': return { api: 'nova', label: `delete meta ${key.slice(0, 20)}`, method: 'DELETE', path: `${prefix}/images/${id}/metadata/${key}`, headers };
    default: {
      // A DELETE of the real image only with a token that must fail.
      const realId = id === t.novaImageId;
      const h = realId ? { ...headers, 'x-auth-token': pick(['wrong', '', 'constructor']) } : headers;
      return { api: 'nova', label: `delete image ${id.slice(0, 30)}`, method: 'DELETE', path: `${prefix}/images/${id}`, headers: h };
    }
  }
}

// ---- Foreman ---------------------------------------------------------------------------------

function basicOf(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function foreman(pick: Pick, int: (a: number, b: number) => number, t: CorpusTargets): HostileRequest {
  const auth = pick([t.foremanAuth, t.foremanAuth, t.foremanAuth, t.foremanAuth, basicOf('admin', 'wrong'), basicOf('constructor', ''), basicOf('__proto__', 'x'),
    'Basic !!!!', 'Basic ', 'Basic YWRtaW4=', `Basic ${'A'.repeat(6000)}`, 'Bearer x', 'basic', `Basic ${Buffer.from('admin:pw:extra').toString('base64')}`, '']);
  const headers: Record<string, string> = auth ? { authorization: auth } : {};
  const prefix = pick(['/api', '/api/v2']);
  const parent = pick(['compute_resources', 'operatingsystems', 'architectures']);
  const parentId = pick([String(t.computeResourceId), ...HOSTILE_IDS]);
  const id = pick([String(t.foremanImageId), `${t.foremanImageId}-name`, ...HOSTILE_IDS]);
  const shape = pick(['search', 'search', 'paging', 'get', 'post', 'put', 'delete', 'parent-post', 'taxonomy']);
  const search = () => pick([
    () => `${'('.repeat(int(33, 2000))}name = x${')'.repeat(int(0, 2000))}`, () => `${'not '.repeat(int(33, 1000))}name = x`,
    () => 'name ~ "unclosed', () => 'name ^ (a,b', () => 'id = abc', () => 'user_data = maybe', () => 'constructor = 1', () => '__proto__ ~ x',
    () => Array.from({ length: int(101, 400) }, (_, i) => `name = n${i}`).join(pick([' or ', ' and ', ', '])), () => 'x'.repeat(5000),
    () => 'name = %00', () => 'name = %ff', () => 'set? ', () => 'null? constructor', () => ')))', () => 'name ^ ()', () => 'order by',
  ])();
  switch (shape) {
    case 'search': return { api: 'foreman', label: 'search', method: 'GET', path: `${prefix}/${parent}/${parentId}/images?search=${encodeURIComponent(search())}&order=${encodeURIComponent(pick(['name', 'constructor', 'name DESC; DROP', '']))}`, headers };
    case 'paging': return { api: 'foreman', label: 'paging', method: 'GET', path: `${prefix}/${pick([parent, `${parent}/${parentId}/images`])}?page=${pick(HOSTILE_QUERY_VALUES)}&per_page=${pick(HOSTILE_QUERY_VALUES)}&thin=${pick(['true', 'x'])}`, headers };
    case 'get': return { api: 'foreman', label: 'get', method: 'GET', path: `${prefix}/${parent}/${parentId}/images/${id}`, headers };
    case 'taxonomy': return { api: 'foreman', label: 'taxonomy', method: 'GET', path: `${prefix}/compute_resources?location_id=${pick(HOSTILE_IDS)}&organization_id=${pick(HOSTILE_QUERY_VALUES)}`, headers };
    case 'post': {
      const body = pick([
        () => '{', () => nestedJson(int(33, 20000)), () => '[]', () => '"x"', () => JSON.stringify({ image: { name: pick(HOSTILE_IDS) } }),
        () => JSON.stringify({ image: { name: 'n', username: 'u', uuid: '', operatingsystem_id: 'x' } }), () => JSON.stringify({ image: 'x' }),
        () => JSON.stringify({ image: { name: 'n', username: 'u', uuid: 'u', compute_resource_name: 'nope', operatingsystem_name: '__proto__', architecture_name: 'constructor' } }),
        () => JSON.stringify({ image: { name: 'x'.repeat(300), username: 'u', uuid: 'u', operatingsystem_id: 1, architecture_id: 1 } }),
        () => JSON.stringify({ image: { name: 'x'.repeat(t.bodyLimit + int(1, 50_000)) } }),
      ])();
      return { api: 'foreman', label: 'image create', method: 'POST', path: `${prefix}/${parent}/${parentId}/images`, headers: { ...headers, 'content-type': pick(['application/json', 'application/json', 'text/plain', 'application/xml']) }, body };
    }
    case 'put': {
      const body = pick(['{}', '{"image":null}', '{"image":"x"}', '{"image":[1]}', '{"image":{"name":""}}', '{"image":{"uuid":"  "}}', nestedJson(int(33, 20000)), '{', '{"image":{"operatingsystem_id":"abc"}}', '{"image":{"compute_resource_name":"constructor"}}']);
      return { api: 'foreman', label: 'image update', method: pick(['PUT', 'PATCH']), path: `${prefix}/${parent}/${parentId}/images/${id}`, headers: { ...headers, 'content-type': 'application/json' }, body };
    }
    case 'delete': {
      // The real image only with credentials that must fail.
      const realId = id.startsWith(String(t.foremanImageId)) && parentId === String(t.computeResourceId);
      return { api: 'foreman', label: 'image delete', method: 'DELETE', path: `${prefix}/${parent}/${parentId}/images/${id}`, headers: realId ? { authorization: basicOf('admin', 'wrong') } : headers };
    }
    default: {
      const body = pick([
        () => JSON.stringify({ compute_resource: { name: `cr${int(1, 1e6)}`, provider: pick(['Nimbus', '', 'constructor', '__proto__', 'libvirt '.repeat(3)]) } }),
        () => JSON.stringify({ operatingsystem: { name: 'has space', major: 'x' } }), () => JSON.stringify({ architecture: { name: '' } }),
        () => JSON.stringify({ compute_resource: { name: '', provider: 'Libvirt' } }), () => `{"compute_resource":${nestedJson(5000)}}`,
      ])();
      return { api: 'foreman', label: 'parent create', method: 'POST', path: `${prefix}/${pick(['compute_resources', 'operatingsystems', 'architectures'])}`, headers: { ...headers, 'content-type': 'application/json' }, body };
    }
  }
}

// ---- Hostway ---------------------------------------------------------------------------------

function hostway(pick: Pick, t: CorpusTargets): HostileRequest {
  const auth = pick([t.hostwayAuth, t.hostwayAuth, t.hostwayAuth, basicOf('u', 'wrong'), basicOf('constructor', ''), 'Basic %%%', 'Basic', `Basic ${'B'.repeat(5000)}`, '']);
  const prefix = pick(['', `/accounts/${pick(['1', ...HOSTILE_IDS])}/flexcloud`]);
  const q = `${pick(['limit', 'marker', 'zone', 'status', 'type', 'name'])}=${pick([...HOSTILE_QUERY_VALUES, ...HOSTILE_IDS])}`;
  const path = pick([`${prefix}/images?${q}`, `${prefix}/images/detail?${q}&limit=${pick(HOSTILE_QUERY_VALUES)}`, `${prefix}/images/${pick([...HOSTILE_IDS, t.novaImageId])}`, `${prefix}/images/x/y/z`]);
  return { api: 'hostway', label: `hostway ${path.slice(0, 50)}`, method: pick(['GET', 'GET', 'GET', 'POST', 'DELETE']), path, headers: auth ? { authorization: auth } : {} };
}

// ---- bytes no HTTP client library will send --------------------------------------------------

function rawBytes(pick: Pick, t: CorpusTargets): HostileRequest {
  const target = pick(['/imagefactory/base_images/', '/v2.1/images/', '/api/compute_resources/1/images/', '/images/']);
  const auth = target.startsWith('/v2.1') ? `X-Auth-Token: ${t.novaToken}\r\n` : target.startsWith('/api') ? `Authorization: ${t.foremanAuth}\r\n` : target === '/images/' ? `Authorization: ${t.hostwayAuth}\r\n` : '';
  const bytes = pick([
    Buffer.from([0xff, 0xfe, 0x00, 0x2e, 0x2e]), Buffer.from([0xc0, 0xae, 0xc0, 0xae, 0x2f]), Buffer.from('..\u0000/etc/passwd', 'latin1'), Buffer.from([0xed, 0xa0, 0x80]),
  ]);
  const shape = pick(['path', 'header', 'body', 'framing']);
  let head: Buffer;
  let body = Buffer.alloc(0);
  if (shape === 'framing') {
    // Broken message framing: negative or non-numeric lengths, a length beside chunked encoding (smuggling), bad chunk sizes.
    const framing = pick(['Content-Length: -1\r\n\r\n', 'Content-Length: abc\r\n\r\n', 'Content-Length: 1, 2\r\n\r\nxy',
      'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'Transfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n',
      'Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', 'Content-Length: 99999999999999999999\r\n\r\n']);
    head = Buffer.from(`POST ${target}x HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nConnection: close\r\n${framing}`);
  } else if (shape === 'path') {
    head = Buffer.concat([Buffer.from(`GET ${target}`), bytes, Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Connection: close\r\n\r\n`)]);
  } else if (shape === 'header') {
    head = Buffer.concat([Buffer.from(`GET ${target}x HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}X-Hostile: `), bytes, Buffer.from('\r\nConnection: close\r\n\r\n')]);
  } else {
    body = Buffer.concat([Buffer.from('{"metadata":{"k":"'), bytes, Buffer.from('"}}')]);
    head = Buffer.from(`POST ${target}${t.novaImageId}/metadata HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  }
  return { api: target.startsWith('/v2.1') ? 'nova' : target.startsWith('/api') ? 'foreman' : target === '/images/' ? 'hostway' : 'imagefactory',
    label: `raw bytes in ${shape}`, method: 'RAW', path: target, headers: {}, raw: Buffer.concat([head, body]) };
}
