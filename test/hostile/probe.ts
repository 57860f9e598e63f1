import { request } from 'undici';
import { startCatalogDaemon } from '../catalog/catalog-fixtures.js';
const d = await startCatalogDaemon({ flags: { max_body_bytes: 64 * 1024 }, file: { nova_tokens: { tok: 'x' }, foreman_users: { admin: 'pw' }, hostway_users: { u: 'p' } } });
const cases: [string, string, Record<string, string>, string | Buffer | undefined][] = [
  ['POST', '/imagefactory/base_images', { 'content-type': 'application/xml' }, '<a>'.repeat(20000) + '</a>'.repeat(20000)],
  ['POST', '/imagefactory/base_images', { 'content-type': 'multipart/form-data' }, 'x'],
  ['POST', '/imagefactory/base_images', { 'content-type': 'multipart/form-data; boundary=zz' }, '--yy\r\nContent-Disposition: form-data; name="template"\r\n\r\nx\r\n--yy--\r\n'],
  ['POST', '/imagefactory/base_images', { 'content-type': 'multipart/form-data; boundary=zz' }, '--zz\r\nContent-Disposition: form-data; name="template"\r\n\r\nx\r\n'],
  ['POST', '/imagefactory/base_images', { 'content-type': 'multipart/form-data; boundary=zz' }, '--zz\nContent-Disposition: form-data; name="template"\n\nx\n--zz--\n'],
  ['POST', '/imagefactory/base_images', { 'content-type': 'multipart/form-data; boundary=zz' }, '--zz\r\ngarbage\r\n\r\nx\r\n--zz--\r\n'],
  ['POST', '/imagefactory/base_images', { 'content-type': 'multipart/form-data; boundary=zz' }, '{"base_image":{"template":"x"}}'],
  ['POST', '/imagefactory/base_images', { 'content-type': 'multipart/form-data; boundary=zz' }, '--zz\r\nContent-Disposition: form-data; name="template"\r\n\r\n' + 'x'.repeat(100000) + '\r\n--zz--\r\n'],
  ['POST', '/imagefactory/base_images/import', { 'content-type': 'multipart/form-data; boundary=zz' }, '--zz\r\nContent-Disposition: form-data; name="template"\r\n\r\nx\r\n--zz--\r\n'],
  ['POST', '/imagefactory/base_images/import', { 'content-type': 'application/json' }, '{}'],
  ['POST', '/imagefactory/base_images/import', { 'content-type': 'text/plain' }, 'x'],
  ['POST', '/imagefactory/base_images/import', {}, Buffer.alloc(100000)],
  ['POST', '/v2.1/images/x/metadata', { 'x-auth-token': 'x', 'content-type': 'application/json' }, '{"metadata":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5001)],
  ['GET', '/api/compute_resources/1/images?search=' + '('.repeat(5000) + 'name=x' + ')'.repeat(5000), { authorization: 'Basic ' + Buffer.from('admin:pw').toString('base64') }, undefined],
  ['GET', '/api/compute_resources/1/images?search=' + 'not '.repeat(5000) + 'name=x', { authorization: 'Basic ' + Buffer.from('admin:pw').toString('base64') }, undefined],
  ['POST', '/imagefactory/base_images', { 'content-type': 'application/json' }, JSON.stringify({ base_image: { template: 'x', parameters: null } })],
  ['POST', '/imagefactory/base_images', { 'content-type': 'application/json' }, '{"base_image":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5001)],
  ['POST', '/imagefactory/base_images', { 'content-type': 'application/json' }, '{"base_image":{"template":"x","parameters":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5002)],
];
for (const [method, path, headers, body] of cases) {
  try {
    const r = await request(`${d.url}${path}`, { method: method as 'GET', headers, body });
    const t = await r.body.text();
    console.log(r.statusCode, method, path.slice(0, 60), headers['content-type'] ?? '', '→', t.slice(0, 160).replace(/\n/g, ' '));
  } catch (e) { console.log('ERR', path, (e as Error).message); }
}
await d.stop();
