import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../../src/platform/exec.js';

/**
 * A stand-in for an oVirt engine (REST API v4 subset, JSON) and an imageio daemon, over HTTPS with a
 * self-signed certificate, written from the documented APIs:
 * - SSO: POST /ovirt-engine/sso/oauth/token (grant_type=password, scope ovirt-app-api) → bearer token;
 *   a wrong password answers 400 {"error_code":"access_denied","error":"Cannot authenticate user '…'…"}
 *   (the engine names the user, so clients must scrub it).
 * - GET /ovirt-engine/api (authenticated_user), POST/GET/DELETE /disks (locked → ok), POST
 *   /imagetransfers (initializing → transferring, then the ticket exists), GET, /finalize (the
 *   uploaded image is checked: a cow disk must hold a qcow2 of the provisioned virtual size, else
 *   finished_failure and an illegal disk), /cancel; POST /vms (Blank template, cluster), POST
 *   /vms/ID/diskattachments, DELETE /vms/ID (removes attached disks unless detach_only=true), POST
 *   /templates from a VM (copies its disks; locked → ok), GET/DELETE /templates/ID. Faults are {"reason","detail"}; no or a bad
 *   token is 401.
 * - imageio /images/TICKET: OPTIONS (features, max_writers: 8 for raw/nbd, 1 for cow/file), PUT with
 *   Content-Range `bytes S-E/*` and Content-Length (416 past the ticket size), PATCH zero/flush, GET
 *   with Range; 403 for an unknown, not yet installed or finished ticket.
 */
export interface OvirtServer {
  apiUrl: string;
  caPem: string;
  /** User id the API root reports as authenticated_user. */
  userId: string;
  disks: Map<string, FakeDisk>;
  vms: Map<string, FakeVm>;
  templates: Map<string, FakeTemplate>;
  stats: { putBytes: number; zeroBytes: number; flushes: number; puts: number; requests: string[] };
  /** The bytes stored for a disk (its imageio-visible content). */
  diskBytes(id: string): Promise<Buffer>;
  /** Make transfer_url unreachable so clients must fall back to proxy_url. */
  setTransferUrlBroken(broken: boolean): void;
  /** Faults to inject: imageio PUTs answer this status; the next finalize ends in finished_failure. */
  inject(faults: { putStatus?: number | null; failNextFinalize?: boolean; putDelayMs?: number }): void;
  /** Forget every SSO token (as when they expire): the next API call with an old token is 401. */
  expireTokens(): void;
  stop(): Promise<void>;
}

export interface FakeDisk {
  id: string;
  name: string;
  description: string;
  format: 'cow' | 'raw';
  provisioned_size: number;
  initial_size: number | null;
  status: 'locked' | 'ok' | 'illegal';
  storage_domain: string;
  file: string;
  /** GETs left before a locked disk becomes ok (the engine creates volumes asynchronously). */
  lockedPolls: number;
}

export interface FakeVm {
  id: string;
  name: string;
  cluster: string;
  memory: number;
  status: 'down';
  diskIds: string[];
}

export interface FakeTemplate {
  id: string;
  name: string;
  description: string;
  status: 'locked' | 'ok';
  /** Copies of the VM's disks, made when the template was created (as the engine does). */
  diskIds: string[];
  polls: number;
}

interface FakeTransfer {
  id: string;
  diskId: string;
  phase: string;
  ticket: string | null;
  polls: number;
  size: number;
}

export async function startOvirt(dir: string, opts: { username: string; password: string; storageDomains?: string[]; clusters?: string[] }): Promise<OvirtServer> {
  const key = join(dir, 'ovirt-key.pem');
  const cert = join(dir, 'ovirt-cert.pem');
  await runTool(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  const tls = { key: await readFile(key), cert: await readFile(cert) };
  const domains = new Set(opts.storageDomains ?? ['data']);
  const userId = randomUUID();
  const tokens = new Set<string>();
  const disks = new Map<string, FakeDisk>();
  const transfers = new Map<string, FakeTransfer>();
  const vms = new Map<string, FakeVm>();
  const templates = new Map<string, FakeTemplate>();
  const clusters = new Set(opts.clusters ?? ['Default']);
  const attached = (diskId: string) => [...vms.values()].some((v) => v.diskIds.includes(diskId));
  const stats = { putBytes: 0, zeroBytes: 0, flushes: 0, puts: 0, requests: [] as string[] };
  let transferUrlBroken = false;
  const faults: { putStatus: number | null; failNextFinalize: boolean; putDelayMs: number } = { putStatus: null, failNextFinalize: false, putDelayMs: 0 };

  const engine = createServer(tls, (req, res) => { void handleEngine(req, res).catch((e) => send(res, 500, { reason: 'Internal', detail: String(e) })); });
  const imageio = createServer(tls, (req, res) => { void handleImageio(req, res).catch((e) => text(res, 500, String(e))); });
  const enginePort = await listen(engine);
  const imageioPort = await listen(imageio);
  const apiUrl = `https://127.0.0.1:${enginePort}/ovirt-engine/api`;

  function diskJson(d: FakeDisk) {
    return {
      id: d.id, href: `/ovirt-engine/api/disks/${d.id}`, name: d.name, alias: d.name, description: d.description, format: d.format,
      provisioned_size: String(d.provisioned_size), actual_size: String(d.initial_size ?? d.provisioned_size), status: d.status,
      content_type: 'data', storage_type: 'image', storage_domains: { storage_domain: [{ id: d.storage_domain }] },
    };
  }
  function transferJson(t: FakeTransfer) {
    const base = { id: t.id, href: `/ovirt-engine/api/imagetransfers/${t.id}`, direction: 'upload', phase: t.phase, disk: { id: t.diskId } };
    if (!t.ticket) return base;
    const broken = transferUrlBroken ? `https://127.0.0.1:1/images/${t.ticket}` : `https://127.0.0.1:${imageioPort}/images/${t.ticket}`;
    return { ...base, transfer_url: broken, proxy_url: `https://127.0.0.1:${imageioPort}/images/${t.ticket}` };
  }

  async function handleEngine(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const body = await readBody(req);
    stats.requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/ovirt-engine/sso/oauth/token' && req.method === 'POST') {
      const form = new URLSearchParams(body.toString());
      if (form.get('grant_type') !== 'password' || !(form.get('scope') ?? '').split(' ').includes('ovirt-app-api')) {
        return send(res, 400, { error_code: 'invalid_request', error: 'grant_type password and scope ovirt-app-api are required' });
      }
      if (form.get('username') !== opts.username || form.get('password') !== opts.password) {
        return send(res, 400, { error_code: 'access_denied', error: `Cannot authenticate user '${form.get('username')}': The username or password is incorrect..` });
      }
      const token = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
      tokens.add(token);
      return send(res, 200, { access_token: token, scope: 'ovirt-app-api', exp: String(Date.now() + 3_600_000), token_type: 'bearer' });
    }
    if (!url.pathname.startsWith('/ovirt-engine/api')) return send(res, 404, { reason: 'Not Found', detail: url.pathname });
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!auth || !tokens.has(auth[1])) {
      res.writeHead(401, { 'content-type': 'text/html', 'www-authenticate': 'Bearer realm="RESTAPI"' });
      return void res.end('<html><head><title>Error</title></head><body>Unauthorized</body></html>');
    }
    const path = url.pathname.slice('/ovirt-engine/api'.length).replace(/\/+$/, '');
    const json = body.length ? JSON.parse(body.toString()) as Record<string, any> : {};
    let m: RegExpExecArray | null;
    if (path === '' && req.method === 'GET') return send(res, 200, { product_info: { name: 'oVirt Engine (test stand-in)' }, authenticated_user: { id: userId, href: `/ovirt-engine/api/users/${userId}` } });
    if (path === '/disks' && req.method === 'POST') {
      const sd = json.storage_domains?.storage_domain?.[0];
      const name = typeof json.name === 'string' ? json.name : json.alias;
      if (!['cow', 'raw'].includes(json.format)) return send(res, 400, { reason: 'Operation Failed', detail: `Invalid value for disk format: ${String(json.format)}` });
      const prov = Number(json.provisioned_size);
      if (!Number.isInteger(prov) || prov <= 0) return send(res, 400, { reason: 'Incomplete parameters', detail: 'Disk [provisionedSize] required for add' });
      if (!sd || !domains.has(sd.name ?? sd.id)) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: Storage domain: name=${String(sd?.name ?? sd?.id)}` });
      const initial = json.initial_size === undefined ? null : Number(json.initial_size);
      const id = randomUUID();
      const d: FakeDisk = {
        id, name: String(name ?? ''), description: String(json.description ?? ''), format: json.format, provisioned_size: prov, initial_size: initial,
        status: 'locked', storage_domain: sd.name ?? sd.id, file: join(dir, `disk-${id}`), lockedPolls: 2,
      };
      await writeFile(d.file, '');
      await truncate(d.file, d.format === 'cow' ? (initial ?? 0) : prov);
      disks.set(id, d);
      return send(res, 201, diskJson(d));
    }
    if ((m = /^\/disks\/([^/]+)$/.exec(path))) {
      const d = disks.get(m[1]);
      if (!d) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: ${m[1]}` });
      if (req.method === 'GET') {
        if (d.status === 'locked' && ![...transfers.values()].some((t) => t.diskId === d.id && !t.phase.startsWith('finished')) && --d.lockedPolls <= 0) d.status = 'ok';
        return send(res, 200, diskJson(d));
      }
      if (req.method === 'DELETE') {
        if (d.status === 'locked') return send(res, 409, { reason: 'Operation Failed', detail: '[Cannot remove Virtual Disk. Related operation is currently in progress. Please try again later.]' });
        if (attached(d.id)) return send(res, 409, { reason: 'Operation Failed', detail: '[Cannot remove Virtual Disk. The disk is attached to a VM: detach it first.]' });
        disks.delete(d.id);
        await rm(d.file, { force: true });
        return send(res, 200, {});
      }
    }
    if (path === '/imagetransfers' && req.method === 'POST') {
      const diskId = json.disk?.id ?? json.image?.id;
      const d = disks.get(diskId);
      if (!d) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: Disk id=${String(diskId)}` });
      if ((json.direction ?? 'upload') !== 'upload') return send(res, 400, { reason: 'Operation Failed', detail: 'only uploads are served here' });
      if (d.status !== 'ok') return send(res, 409, { reason: 'Operation Failed', detail: `[Cannot transfer Virtual Disk. Disk ${d.name} status is ${d.status.toUpperCase()}.]` });
      if (json.format !== undefined && json.format !== d.format) return send(res, 400, { reason: 'Operation Failed', detail: `transfer format ${String(json.format)} differs from the disk format ${d.format}` });
      d.status = 'locked';
      const t: FakeTransfer = { id: randomUUID(), diskId: d.id, phase: 'initializing', ticket: null, polls: 0, size: d.format === 'cow' ? (d.initial_size ?? 0) : d.provisioned_size };
      transfers.set(t.id, t);
      return send(res, 201, transferJson(t));
    }
    if ((m = /^\/imagetransfers\/([^/]+)(?:\/(finalize|cancel))?$/.exec(path))) {
      const t = transfers.get(m[1]);
      if (!t) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: ${m[1]}` });
      const d = disks.get(t.diskId);
      if (!m[2] && req.method === 'GET') {
        t.polls++;
        if (t.phase === 'initializing' && t.polls >= 2) { t.phase = 'transferring'; t.ticket = randomUUID(); }
        else if (t.phase === 'finalizing_success') await verify(t, d);
        return send(res, 200, transferJson(t));
      }
      if (m[2] === 'finalize' && req.method === 'POST') {
        if (t.phase !== 'transferring') return send(res, 409, { reason: 'Operation Failed', detail: `[Cannot finalize image transfer in phase ${t.phase}.]` });
        t.phase = 'finalizing_success';
        t.ticket = null;
        return send(res, 200, {});
      }
      if (m[2] === 'cancel' && req.method === 'POST') {
        t.phase = 'finished_failure';
        t.ticket = null;
        if (d) d.status = 'illegal';
        return send(res, 200, {});
      }
    }
    if (path === '/vms' && req.method === 'POST') {
      const cluster = json.cluster?.name ?? json.cluster?.id;
      if (!json.name) return send(res, 400, { reason: 'Incomplete parameters', detail: 'VM [name] required for add' });
      if (!clusters.has(cluster)) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: Cluster: name=${String(cluster)}` });
      if ((json.template?.name ?? 'Blank') !== 'Blank' && !json.template?.id) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: Template: name=${String(json.template?.name)}` });
      if ([...vms.values()].some((v) => v.name === json.name)) return send(res, 409, { reason: 'Operation Failed', detail: '[Cannot add VM. The VM name is already in use, please choose a unique name and try again.]' });
      const vm: FakeVm = { id: randomUUID(), name: String(json.name), cluster, memory: Number(json.memory ?? 1 << 30), status: 'down', diskIds: [] };
      vms.set(vm.id, vm);
      return send(res, 201, { id: vm.id, name: vm.name, status: vm.status, cluster: { name: cluster } });
    }
    if ((m = /^\/vms\/([^/]+)(\/diskattachments)?$/.exec(path))) {
      const vm = vms.get(m[1]);
      if (!vm) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: ${m[1]}` });
      if (!m[2] && req.method === 'GET') return send(res, 200, { id: vm.id, name: vm.name, status: vm.status });
      if (m[2] && req.method === 'POST') {
        const d = disks.get(json.disk?.id);
        if (!d) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: Disk id=${String(json.disk?.id)}` });
        if (!json.interface) return send(res, 400, { reason: 'Incomplete parameters', detail: 'DiskAttachment [interface] required for add' });
        if (d.status !== 'ok') return send(res, 409, { reason: 'Operation Failed', detail: `[Cannot attach Virtual Disk. Disk ${d.name} status is ${d.status.toUpperCase()}.]` });
        if (attached(d.id)) return send(res, 409, { reason: 'Operation Failed', detail: '[Cannot attach Virtual Disk. The disk is already attached to a VM.]' });
        vm.diskIds.push(d.id);
        return send(res, 201, { id: d.id, disk: { id: d.id }, interface: json.interface, bootable: !!json.bootable, active: json.active !== false, vm: { id: vm.id } });
      }
      if (!m[2] && req.method === 'DELETE') {
        // detach_only=true keeps the disks; by default the engine removes them with the VM.
        if (url.searchParams.get('detach_only') !== 'true') {
          for (const id of vm.diskIds) { const d = disks.get(id); disks.delete(id); if (d) await rm(d.file, { force: true }); }
        }
        vms.delete(vm.id);
        return send(res, 200, {});
      }
    }
    if (path === '/templates' && req.method === 'POST') {
      const vm = vms.get(json.vm?.id);
      if (!vm) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: VM id=${String(json.vm?.id)}` });
      if (!json.name) return send(res, 400, { reason: 'Incomplete parameters', detail: 'Template [name] required for add' });
      if ([...templates.values()].some((t) => t.name === json.name)) return send(res, 409, { reason: 'Operation Failed', detail: '[Cannot add Template. The given name is already in use.]' });
      if (!vm.diskIds.length) return send(res, 409, { reason: 'Operation Failed', detail: '[Cannot add Template. The VM has no disks.]' });
      const copies: string[] = [];
      for (const id of vm.diskIds) {
        const src = disks.get(id)!;
        const copy: FakeDisk = { ...src, id: randomUUID(), name: `${src.name}_${String(json.name)}`, file: join(dir, `disk-${randomUUID()}`), status: 'ok' };
        await writeFile(copy.file, await readFile(src.file));
        disks.set(copy.id, copy);
        copies.push(copy.id);
      }
      const t: FakeTemplate = { id: randomUUID(), name: String(json.name), description: String(json.description ?? ''), status: 'locked', diskIds: copies, polls: 0 };
      templates.set(t.id, t);
      return send(res, 201, { id: t.id, name: t.name, status: t.status });
    }
    if ((m = /^\/templates\/([^/]+)$/.exec(path))) {
      const t = templates.get(m[1]);
      if (!t) return send(res, 404, { reason: 'Operation Failed', detail: `Entity not found: ${m[1]}` });
      if (req.method === 'GET') {
        if (t.status === 'locked' && ++t.polls >= 2) t.status = 'ok';
        return send(res, 200, { id: t.id, name: t.name, description: t.description, status: t.status, disk_ids: t.diskIds });
      }
      if (req.method === 'DELETE') {
        if (t.status === 'locked') return send(res, 409, { reason: 'Operation Failed', detail: '[Cannot remove Template. Template is being updated.]' });
        for (const id of t.diskIds) { const d = disks.get(id); disks.delete(id); if (d) await rm(d.file, { force: true }); }
        templates.delete(t.id);
        return send(res, 200, {});
      }
    }
    return send(res, 405, { reason: 'Method Not Allowed', detail: `${req.method} ${url.pathname}` });
  }

  /** The engine's check after finalize: a cow disk must hold a qcow2 image of the disk's virtual size. */
  async function verify(t: FakeTransfer, d: FakeDisk | undefined): Promise<void> {
    if (!d) { t.phase = 'finished_failure'; return; }
    let ok = !faults.failNextFinalize;
    faults.failNextFinalize = false;
    if (ok && d.format === 'cow') {
      const info = await runTool(['qemu-img', 'info', '--output=json', '-f', 'qcow2', d.file]).then((r) => JSON.parse(r.stdout) as { 'virtual-size': number }, () => null);
      ok = info !== null && info['virtual-size'] === d.provisioned_size;
    }
    t.phase = ok ? 'finished_success' : 'finished_failure';
    d.status = ok ? 'ok' : 'illegal';
  }

  async function handleImageio(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const m = /^\/images\/([^/]+)$/.exec(url.pathname);
    const body = req.method === 'PUT' || req.method === 'PATCH' ? await readBody(req) : Buffer.alloc(0);
    if (!m) return text(res, 404, 'No such resource');
    const t = [...transfers.values()].find((x) => x.ticket === m[1] && x.phase === 'transferring');
    if (!t) return text(res, 403, `You are not allowed to access this resource: No such ticket ${m[1]}`);
    const d = disks.get(t.diskId)!;
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { allow: 'GET,PUT,PATCH,OPTIONS', 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ features: ['extents', 'zero', 'flush'], max_readers: 8, max_writers: d.format === 'raw' ? 8 : 1 }));
    }
    if (req.method === 'PUT' && faults.putDelayMs) await new Promise((r) => setTimeout(r, faults.putDelayMs));
    if (req.method === 'PUT' && faults.putStatus) return text(res, faults.putStatus, 'Injected failure: the storage refused the write');
    if (req.method === 'PUT') {
      const len = req.headers['content-length'];
      if (len === undefined) return text(res, 400, 'Missing Content-Length header');
      const range = req.headers['content-range'];
      let start = 0;
      if (range !== undefined) {
        const r = /^bytes (\d+)-(\d+)\/(\*|\d+)$/.exec(range);
        if (!r) return text(res, 400, `Invalid Content-Range header: ${range}`);
        start = Number(r[1]);
        if (Number(r[2]) - start + 1 !== body.length) return text(res, 400, 'Content-Range does not match Content-Length');
      }
      if (start + body.length > t.size) {
        res.writeHead(416, { 'content-range': `bytes */${t.size}` });
        return void res.end(`Requested range out of allowed range: ${start + body.length} > ${t.size}`);
      }
      await writeAt(d.file, start, body);
      stats.putBytes += body.length;
      stats.puts++;
      return text(res, 200, '');
    }
    if (req.method === 'PATCH') {
      if (!/json/.test(req.headers['content-type'] ?? '')) return text(res, 415, 'Unsupported media type: application/json expected');
      const op = JSON.parse(body.toString()) as { op?: string; offset?: number; size?: number };
      if (op.op === 'flush') { stats.flushes++; return text(res, 200, ''); }
      if (op.op !== 'zero') return text(res, 400, `Invalid value for 'op': ${String(op.op)}`);
      if (op.size === undefined) return text(res, 400, "Missing required value for 'size'");
      const offset = op.offset ?? 0;
      if (offset + op.size > t.size) { res.writeHead(416, { 'content-range': `bytes */${t.size}` }); return void res.end('Requested range out of allowed range'); }
      for (let o = offset; o < offset + op.size; o += 1 << 20) await writeAt(d.file, o, Buffer.alloc(Math.min(1 << 20, offset + op.size - o)));
      stats.zeroBytes += op.size;
      return text(res, 200, '');
    }
    if (req.method === 'GET') {
      const all = await readFile(d.file);
      const r = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!r) { res.writeHead(200, { 'content-type': 'application/octet-stream' }); return void res.end(all); }
      const [s, e] = [Number(r[1]), Number(r[2])];
      if (e >= t.size) { res.writeHead(416, { 'content-range': `bytes */${t.size}` }); return void res.end(); }
      res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-range': `bytes ${s}-${e}/*` });
      return void res.end(all.subarray(s, e + 1));
    }
    return text(res, 405, 'Method not allowed');
  }

  return {
    apiUrl, caPem: tls.cert.toString(), userId, disks, vms, templates, stats,
    diskBytes: async (id) => readFile(disks.get(id)!.file),
    setTransferUrlBroken: (b) => { transferUrlBroken = b; },
    inject: (f) => { Object.assign(faults, Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined))); },
    expireTokens: () => tokens.clear(),
    async stop() {
      for (const s of [engine, imageio]) { s.closeAllConnections(); await new Promise<void>((r) => s.close(() => r())); }
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function writeAt(file: string, offset: number, data: Buffer): Promise<void> {
  const fh = await open(file, 'r+');
  try { await fh.write(data, 0, data.length, offset); } finally { await fh.close(); }
}

function send(res: ServerResponse, status: number, doc: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(doc));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}
