/**
 * A stand-in for the Google APIs a GCE push uses, implementing their documented behaviour (there is
 * no GCS or Compute emulator that runs here; see the README). Run as its own process:
 *   node --import tsx test/providers/helpers/gcp-server.ts CONFIG.json
 * and driven by the real @google-cloud/storage and @google-cloud/compute SDKs. It serves:
 * - OAuth 2.0 token endpoint, JWT-bearer grant (RFC 7523, Google's "OAuth 2.0 for Server to Server
 *   Applications"): the assertion's RS256 signature is verified with the service account's public
 *   key, its iss/aud/iat/exp/scope checked; any path under /token.
 * - Cloud Storage JSON API: resumable uploads (POST /upload/storage/v1/b/B/o?uploadType=resumable →
 *   session URI in Location; PUT chunks with Content-Range → 308 + Range, the last → 200 with the
 *   object resource incl. md5Hash/crc32c; `Content-Range: bytes *\/N` queries the committed offset;
 *   non-final chunks commit only whole 256 KiB multiples; X-Goog-Hash checked), objects GET
 *   (metadata or alt=media) and DELETE, buckets GET.
 * - Compute Engine v1: POST/GET/DELETE projects/P/global/images[/NAME] and GET (or POST .../wait)
 *   projects/P/global/operations/OP. Operations advance PENDING → RUNNING → DONE one step per poll;
 *   an insert reads rawDisk.source when it runs: the object must exist and be a gzip'd tar whose
 *   first member is disk.raw, else the operation ends DONE with an `error`. requestId de-duplicates.
 * Errors use Google's body: {"error": {"code", "message", "errors": [{message, domain, reason}], "status"}}.
 * Test-only control (not Google's): GET /_fake/stats, POST /_fake/faults, POST /_fake/reset.
 */
import { createHash, createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

export interface GcpServerConfig {
  port: number;
  dataDir: string;
  buckets: string[];
  /** Service accounts the token endpoint knows: their e-mail, public key (PEM) and the projects they may use. */
  serviceAccounts: { client_email: string; public_key: string; projects: string[] }[];
}

interface Session { id: string; bucket: string; name: string; committed: number; total: number | null; metadata: Record<string, unknown>; done?: Record<string, unknown> }
interface StoredObject { resource: Record<string, unknown>; path: string }
interface Image { resource: Record<string, unknown>; project: string; deleting?: boolean }
interface Operation { resource: Record<string, unknown>; project: string; steps: number; run: () => Promise<{ code: string; message: string } | null> }
interface Fault { nthPut: number; afterBytes: number; action: 'drop' | number }

const CHUNK_QUANTUM = 256 * 1024;
const SCOPE_OK = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/devstorage.read_write', 'https://www.googleapis.com/auth/compute'];

export function runGcpServer(config: GcpServerConfig): Promise<{ close(): Promise<void> }> {
  const base = `http://127.0.0.1:${config.port}`;
  const tokens = new Map<string, { email: string; expires: number }>();
  const sessions = new Map<string, Session>();
  const objects = new Map<string, StoredObject>();
  const images = new Map<string, Image>();
  const operations = new Map<string, Operation>();
  const requestIds = new Map<string, string>();
  const stats = { token_grants: 0, token_refusals: 0, sessions_created: 0, chunk_puts: 0, status_queries: 0, bytes_received: 0, image_inserts: 0, operation_polls: 0, object_deletes: 0, image_deletes: 0 };
  let fault: Fault | null = null;
  let putsSinceFault = 0;
  let generation = 1_700_000_000_000_000;
  let opCounter = 1;

  const objKey = (b: string, n: string) => `${b}/${n}`;
  const imgKey = (p: string, n: string) => `${p}/${n}`;

  function googleError(res: ServerResponse, code: number, reason: string, message: string, extraHeaders: Record<string, string> = {}): void {
    const status = ({ 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS', 412: 'FAILED_PRECONDITION', 503: 'UNAVAILABLE' } as Record<number, string>)[code] ?? 'UNKNOWN';
    send(res, code, { error: { code, message, errors: [{ message, domain: 'global', reason }], status } }, extraHeaders);
  }

  function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(code, { ...(text ? { 'content-type': 'application/json; charset=UTF-8' } : {}), 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** The caller's service account, from a Bearer token this server issued; null after answering 401. */
  function authenticate(req: IncomingMessage, res: ServerResponse): string | null {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const t = m ? tokens.get(m[1]) : undefined;
    if (!t || t.expires < Date.now()) {
      googleError(res, 401, m ? 'authError' : 'required', m ? 'Invalid Credentials' : 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.', { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
      return null;
    }
    return t.email;
  }

  function mayUseProject(email: string, project: string): boolean {
    return config.serviceAccounts.some((s) => s.client_email === email && s.projects.includes(project));
  }

  // ---- OAuth 2.0 token endpoint (JWT bearer grant) ----
  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const refuse = (error: string, description: string) => { stats.token_refusals++; send(res, 400, { error, error_description: description }); };
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return refuse('unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''));
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return refuse('invalid_request', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    let header: Record<string, unknown>, claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch { return refuse('invalid_request', 'Invalid JWT: cannot be parsed'); }
    if (header.alg !== 'RS256') return refuse('invalid_request', 'Invalid JWT: alg must be RS256');
    const account = config.serviceAccounts.find((s) => s.client_email === claims.iss);
    if (!account) return refuse('invalid_grant', 'Invalid grant: account not found');
    const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(account.public_key), Buffer.from(parts[2], 'base64url'));
    if (!signed) return refuse('invalid_grant', 'Invalid JWT Signature.');
    const audience = `${base}${req.url!.split('?')[0]}`;
    if (claims.aud !== audience) return refuse('invalid_grant', `Invalid JWT: audience must be ${audience}`);
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat), exp = Number(claims.exp);
    if (!(iat <= now + 60 && exp > now && exp - iat <= 3600)) return refuse('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.some((s) => SCOPE_OK.includes(s))) return refuse('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, { email: account.client_email, expires: Date.now() + 3599_000 });
    stats.token_grants++;
    send(res, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  }

  // ---- Cloud Storage ----
  function objectResource(bucket: string, name: string, size: number, md5: string, crc: string, contentType: string, metadata: unknown): Record<string, unknown> {
    const gen = String(generation++);
    const enc = encodeURIComponent(name);
    return {
      kind: 'storage#object', id: `${bucket}/${name}/${gen}`, selfLink: `${base}/storage/v1/b/${bucket}/o/${enc}`,
      mediaLink: `${base}/download/storage/v1/b/${bucket}/o/${enc}?generation=${gen}&alt=media`, name, bucket, generation: gen,
      metageneration: '1', contentType, storageClass: 'STANDARD', size: String(size), md5Hash: md5, crc32c: crc,
      etag: Buffer.from(gen).toString('base64'), timeCreated: new Date().toISOString(), updated: new Date().toISOString(),
      ...(metadata && typeof metadata === 'object' ? { metadata } : {}),
    };
  }

  async function startResumable(req: IncomingMessage, res: ServerResponse, bucket: string, url: URL): Promise<void> {
    if (!authenticate(req, res)) return;
    if (!config.buckets.includes(bucket)) return googleError(res, 404, 'notFound', 'The specified bucket does not exist.');
    const body = await readBody(req);
    let meta: Record<string, unknown> = {};
    if (body.length) { try { meta = JSON.parse(body.toString('utf8')); } catch { return googleError(res, 400, 'parseError', 'Parse Error'); } }
    const name = url.searchParams.get('name') ?? (typeof meta.name === 'string' ? meta.name : '');
    if (!name) return googleError(res, 400, 'required', 'Required');
    // Preconditions are checked when the session starts (and again when it completes).
    const ifGen = url.searchParams.get('ifGenerationMatch');
    const current = objects.get(objKey(bucket, name));
    if (ifGen !== null && (current ? String(current.resource.generation) !== ifGen : ifGen !== '0')) {
      return googleError(res, 412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    }
    const id = randomBytes(18).toString('base64url');
    const len = req.headers['x-upload-content-length'];
    sessions.set(id, { id, bucket, name, committed: 0, total: len === undefined ? null : Number(len), metadata: meta });
    await mkdir(join(config.dataDir, 'sessions'), { recursive: true });
    await appendFile(join(config.dataDir, 'sessions', id), Buffer.alloc(0));
    stats.sessions_created++;
    const location = `${base}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
    send(res, 200, undefined, { location, 'x-guploader-uploadid': id });
  }

  async function putChunk(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = sessions.get(url.searchParams.get('upload_id') ?? '');
    if (!s) { await readBody(req); return googleError(res, 404, 'notFound', 'No such upload session.'); }
    if (s.done) { await readBody(req); return send(res, 200, s.done); }
    // `bytes A-B/T` (a chunk), `bytes */T` (status query), or `bytes A-*/T`: the SDK's single
    // streamed request, whose body runs to the end of the object.
    const range = /^bytes (?:\*|(\d+)-(\d+|\*))\/(\*|\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range) { await readBody(req); return googleError(res, 400, 'invalid', 'Failed to parse Content-Range header.'); }
    const total = range[3] === '*' ? null : Number(range[3]);
    if (range[1] === undefined) {
      // Status query: what has been committed (or the object, once complete).
      await readBody(req);
      stats.status_queries++;
      if (total !== null && total === s.committed) return finish(res, s, req);
      return send(res, 308, undefined, s.committed > 0 ? { range: `bytes=0-${s.committed - 1}` } : {});
    }
    const first = Number(range[1]);
    const streamed = range[2] === '*';
    const last = streamed ? NaN : Number(range[2]);
    if (first > s.committed) { await readBody(req); return googleError(res, 400, 'invalid', `Invalid request. According to the Content-Range header, the upload offset is ${first} byte(s), which exceeds already uploaded size of ${s.committed} byte(s).`); }
    if (total !== null) s.total = total;
    stats.chunk_puts++;
    const nth = fault ? ++putsSinceFault : 0;
    const active = fault && nth === fault.nthPut ? fault : null;
    const path = join(config.dataDir, 'sessions', s.id);
    const socket = req.socket;
    const fh = await open(path, 'r+');
    let received = 0;
    let at = first;
    try {
      for await (const c of req) {
        const chunk = c as Buffer;
        stats.bytes_received += chunk.length;
        // Bytes already committed (a resent overlap) are skipped, as GCS does.
        const skip = Math.max(0, s.committed - at);
        if (skip < chunk.length) await fh.write(chunk, skip, chunk.length - skip, at + skip);
        at += chunk.length;
        received += chunk.length;
        if (active && received >= active.afterBytes) break;
      }
    } finally {
      await fh.close();
    }
    const end = first + received; // exclusive
    const isFinal = !active && (streamed ? total === null || end === total : total !== null && end === total && last === total - 1);
    // Non-final chunks commit whole 256 KiB multiples only; the client resends the rest.
    const committedEnd = isFinal ? end : Math.max(s.committed, end - (end % CHUNK_QUANTUM));
    s.committed = Math.max(s.committed, Math.min(committedEnd, end));
    if (active) {
      fault = null;
      if (active.action === 'drop') { socket.destroy(); return; }
      // The rest of the body is not read: answer, then close the connection.
      res.once('finish', () => socket.destroy());
      return googleError(res, active.action, active.action === 403 ? 'forbidden' : 'backendError', active.action === 403 ? 'Access denied.' : 'Backend Error', { connection: 'close' });
    }
    if (isFinal) return finish(res, s, req);
    return send(res, 308, undefined, s.committed > 0 ? { range: `bytes=0-${s.committed - 1}` } : {});
  }

  async function finish(res: ServerResponse, s: Session, req: IncomingMessage): Promise<void> {
    const path = join(config.dataDir, 'sessions', s.id);
    const fh = await open(path, 'r+');
    await fh.truncate(s.committed);
    await fh.close();
    const md5 = createHash('md5');
    let crc = 0;
    for await (const c of createReadStream(path)) { md5.update(c as Buffer); crc = crc32c(c as Buffer, crc); }
    const md5b64 = md5.digest('base64');
    const crcb64 = crcBase64(crc);
    // X-Goog-Hash on the final request: the object is refused when it does not match.
    for (const part of String(req.headers['x-goog-hash'] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
      const [alg, value] = [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)];
      if ((alg === 'md5' && value !== md5b64) || (alg === 'crc32c' && value !== crcb64)) {
        sessions.delete(s.id);
        return googleError(res, 400, 'invalid', `Provided ${alg === 'md5' ? 'MD5' : 'CRC32C'} hash "${value}" doesn't match calculated ${alg === 'md5' ? 'MD5' : 'CRC32C'} hash "${alg === 'md5' ? md5b64 : crcb64}".`);
      }
    }
    const dir = join(config.dataDir, 'objects', encodeURIComponent(s.bucket));
    await mkdir(dir, { recursive: true });
    const target = join(dir, encodeURIComponent(s.name));
    await rename(path, target);
    const contentType = typeof s.metadata.contentType === 'string' ? s.metadata.contentType : 'application/octet-stream';
    const resource = objectResource(s.bucket, s.name, s.committed, md5b64, crcb64, contentType, s.metadata.metadata);
    objects.set(objKey(s.bucket, s.name), { resource, path: target });
    s.done = resource;
    send(res, 200, resource);
  }

  async function objectCall(req: IncomingMessage, res: ServerResponse, bucket: string, name: string, url: URL): Promise<void> {
    if (!authenticate(req, res)) return;
    if (!config.buckets.includes(bucket)) return googleError(res, 404, 'notFound', 'The specified bucket does not exist.');
    const o = objects.get(objKey(bucket, name));
    if (!o) return googleError(res, 404, 'notFound', `No such object: ${bucket}/${name}`);
    if (req.method === 'DELETE') {
      objects.delete(objKey(bucket, name));
      await rm(o.path, { force: true });
      stats.object_deletes++;
      return send(res, 204, undefined);
    }
    if (req.method !== 'GET') return googleError(res, 405, 'methodNotAllowed', 'Method not allowed');
    if (url.searchParams.get('alt') === 'media') {
      res.writeHead(200, { 'content-type': String(o.resource.contentType), 'content-length': String(o.resource.size) });
      createReadStream(o.path).pipe(res);
      return;
    }
    send(res, 200, o.resource);
  }

  // ---- Compute Engine ----
  function newOperation(project: string, type: string, target: Record<string, unknown>, user: string, run: Operation['run']): Operation {
    const id = String(opCounter++) + String(Date.now()).slice(-6);
    const name = `operation-${Date.now()}-${randomUUID().slice(0, 8)}`;
    const op: Operation = {
      project, steps: 0, run,
      resource: {
        kind: 'compute#operation', id, name, operationType: type, targetLink: target.selfLink, targetId: target.id, status: 'PENDING',
        user, progress: 0, insertTime: new Date().toISOString(), selfLink: `${base}/compute/v1/projects/${project}/global/operations/${name}`,
      },
    };
    operations.set(`${project}/${name}`, op);
    return op;
  }

  /** One step of an operation's life per poll: PENDING → RUNNING → DONE (running the work at DONE). */
  async function advance(op: Operation, toDone: boolean): Promise<void> {
    const r = op.resource;
    while (r.status !== 'DONE') {
      if (r.status === 'PENDING') { r.status = 'RUNNING'; r.startTime = new Date().toISOString(); r.progress = 50; }
      else {
        const error = await op.run();
        r.status = 'DONE'; r.progress = 100; r.endTime = new Date().toISOString();
        if (error) { r.error = { errors: [error] }; r.httpErrorStatusCode = 400; r.httpErrorMessage = 'BAD REQUEST'; }
      }
      if (!toDone) break;
    }
  }

  const NAME_RE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

  async function insertImage(req: IncomingMessage, res: ServerResponse, project: string, email: string, url: URL): Promise<void> {
    let body: Record<string, unknown>;
    try { body = JSON.parse((await readBody(req)).toString('utf8')); } catch { return googleError(res, 400, 'parseError', 'Parse Error'); }
    const requestId = url.searchParams.get('requestId');
    if (requestId && requestIds.has(requestId)) return send(res, 200, operations.get(requestIds.get(requestId)!)!.resource);
    const name = String(body.name ?? '');
    if (!NAME_RE.test(name)) return googleError(res, 400, 'invalid', `Invalid value for field 'resource.name': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})'`);
    const raw = body.rawDisk as { source?: string } | undefined;
    if (!raw?.source) return googleError(res, 400, 'required', "Required field 'resource.rawDisk.source' not specified");
    const m = /^(?:https:\/\/storage\.googleapis\.com\/|gs:\/\/)([^/]+)\/(.+)$/.exec(raw.source);
    if (!m) return googleError(res, 400, 'invalid', `Invalid value for field 'resource.rawDisk.source': '${raw.source}'. The URL is malformed.`);
    if (images.has(imgKey(project, name))) return googleError(res, 409, 'alreadyExists', `The resource 'projects/${project}/global/images/${name}' already exists`);
    const features = (body.guestOsFeatures as { type?: string }[] | undefined) ?? [];
    for (const f of features) {
      if (!GUEST_OS_FEATURES.includes(String(f.type))) return googleError(res, 400, 'invalid', `Invalid value for field 'resource.guestOsFeatures[].type': '${f.type}'.`);
    }
    stats.image_inserts++;
    const id = String(4_000_000_000_000_000 + Math.floor(Math.random() * 1e15));
    const selfLink = `${base}/compute/v1/projects/${project}/global/images/${name}`;
    const image: Image = {
      project,
      resource: {
        kind: 'compute#image', id, creationTimestamp: new Date().toISOString(), name, selfLink, sourceType: 'RAW', status: 'PENDING',
        ...pick(body, ['description', 'family', 'labels', 'guestOsFeatures', 'licenses', 'storageLocations', 'architecture']),
        rawDisk: { source: raw.source, containerType: 'TAR' },
      },
    };
    images.set(imgKey(project, name), image);
    const op = newOperation(project, 'insert', image.resource, email, async () => {
      const o = objects.get(objKey(decodeURIComponent(m[1]), decodeURIComponent(m[2])));
      const fail = (code: string, message: string) => { images.delete(imgKey(project, name)); return { code, message }; };
      if (!o) return fail('RESOURCE_NOT_FOUND', `The resource '${raw.source}' was not found`);
      const member = await firstTarMember(o.path).catch(() => null);
      if (!member) return fail('INVALID_USAGE', `The image archive '${raw.source}' is not a gzip-compressed tar archive.`);
      if (member.name !== 'disk.raw') return fail('INVALID_USAGE', `The image archive '${raw.source}' must contain a file named disk.raw; found ${member.name}.`);
      image.resource.status = 'READY';
      image.resource.archiveSizeBytes = String(o.resource.size);
      image.resource.diskSizeGb = String(Math.max(1, Math.ceil(member.size / 2 ** 30)));
      return null;
    });
    if (requestId) requestIds.set(requestId, `${project}/${op.resource.name}`);
    send(res, 200, op.resource);
  }

  async function compute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const m = /^\/compute\/v1\/projects\/([^/]+)\/global\/(images|operations)(?:\/([^/]+))?(\/wait)?$/.exec(url.pathname);
    if (!m) return googleError(res, 404, 'notFound', `The requested URL ${url.pathname} was not found on this server.`);
    const email = authenticate(req, res);
    if (!email) return;
    const [, project, kind, name, wait] = m;
    if (!mayUseProject(email, project)) {
      return googleError(res, 403, 'forbidden', `Required '${kind === 'images' ? `compute.images.${req.method === 'POST' ? 'create' : req.method === 'DELETE' ? 'delete' : 'get'}` : 'compute.globalOperations.get'}' permission for 'projects/${project}/global/${kind}${name ? `/${name}` : ''}'`);
    }
    if (kind === 'images' && !name && req.method === 'POST') return insertImage(req, res, project, email, url);
    if (kind === 'images' && name) {
      const image = images.get(imgKey(project, decodeURIComponent(name)));
      if (!image) return googleError(res, 404, 'notFound', `The resource 'projects/${project}/global/images/${name}' was not found`);
      if (req.method === 'GET') return send(res, 200, image.resource);
      if (req.method === 'DELETE') {
        const requestId = url.searchParams.get('requestId');
        if (requestId && requestIds.has(requestId)) return send(res, 200, operations.get(requestIds.get(requestId)!)!.resource);
        image.deleting = true;
        stats.image_deletes++;
        const op = newOperation(project, 'delete', image.resource, email, async () => { images.delete(imgKey(project, name)); return null; });
        if (requestId) requestIds.set(requestId, `${project}/${op.resource.name}`);
        return send(res, 200, op.resource);
      }
    }
    if (kind === 'operations' && name) {
      const op = operations.get(`${project}/${name}`);
      if (!op) return googleError(res, 404, 'notFound', `The resource 'projects/${project}/global/operations/${name}' was not found`);
      stats.operation_polls++;
      await advance(op, !!wait);
      return send(res, 200, op.resource);
    }
    googleError(res, 405, 'methodNotAllowed', 'Method not allowed');
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/_fake/stats') return send(res, 200, { ...stats, objects: [...objects.keys()], images: [...images.keys()], sessions: sessions.size });
    if (url.pathname === '/_fake/faults' && req.method === 'POST') {
      const f = JSON.parse((await readBody(req)).toString('utf8')) as { nth_put: number; after_bytes: number; action: 'drop' | number };
      fault = { nthPut: f.nth_put, afterBytes: f.after_bytes, action: f.action };
      putsSinceFault = 0;
      return send(res, 200, {});
    }
    if (url.pathname === '/_fake/reset' && req.method === 'POST') {
      for (const k of Object.keys(stats) as (keyof typeof stats)[]) stats[k] = 0;
      return send(res, 200, {});
    }
    googleError(res, 404, 'notFound', 'unknown control');
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const p = url.pathname;
    let handled: Promise<void>;
    if (req.method === 'POST' && (p === '/token' || p.startsWith('/token/'))) handled = token(req, res);
    else if (p.startsWith('/_fake/')) handled = control(req, res, url);
    else if (p.startsWith('/compute/v1/')) handled = compute(req, res, url);
    else {
      const up = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(p);
      const obj = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(p);
      const bucket = /^\/storage\/v1\/b\/([^/]+)$/.exec(p);
      if (up && req.method === 'POST' && url.searchParams.get('uploadType') === 'resumable') handled = startResumable(req, res, decodeURIComponent(up[1]), url);
      else if (up && req.method === 'PUT' && url.searchParams.has('upload_id')) handled = putChunk(req, res, url);
      else if (obj) handled = objectCall(req, res, decodeURIComponent(obj[1]), decodeURIComponent(obj[2]), url);
      else if (bucket && req.method === 'GET') {
        handled = (async () => {
          if (!authenticate(req, res)) return;
          const b = decodeURIComponent(bucket[1]);
          if (!config.buckets.includes(b)) return googleError(res, 404, 'notFound', 'The specified bucket does not exist.');
          send(res, 200, { kind: 'storage#bucket', id: b, name: b, location: 'US', storageClass: 'STANDARD' });
        })();
      } else handled = Promise.resolve(googleError(res, 404, 'notFound', `Not Found: ${req.method} ${p}`));
    }
    handled.catch((e: unknown) => { if (!res.headersSent) googleError(res, 500, 'backendError', `Internal error: ${(e as Error).message}`); else res.destroy(); });
  });
  return new Promise((resolve) => server.listen(config.port, '127.0.0.1', () => resolve({
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}

const GUEST_OS_FEATURES = ['VIRTIO_SCSI_MULTIQUEUE', 'WINDOWS', 'MULTI_IP_SUBNET', 'UEFI_COMPATIBLE', 'SECURE_BOOT', 'GVNIC', 'SEV_CAPABLE',
  'SUSPEND_RESUME_COMPATIBLE', 'SEV_LIVE_MIGRATABLE', 'SEV_LIVE_MIGRATABLE_V2', 'SEV_SNP_CAPABLE', 'TDX_CAPABLE', 'IDPF', 'FEATURE_TYPE_UNSPECIFIED'];

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined && o[k] !== null).map((k) => [k, o[k]]));
}

/** Name and size of the first member of a gzip'd tar (its first 512-byte header). */
async function firstTarMember(path: string): Promise<{ name: string; size: number }> {
  const gunzip = createReadStream(path).pipe(createGunzip());
  let header = Buffer.alloc(0);
  for await (const c of gunzip) {
    header = Buffer.concat([header, c as Buffer]);
    if (header.length >= 512) break;
  }
  gunzip.destroy();
  if (header.length < 512) throw new Error('short');
  const field = (off: number, len: number) => header.subarray(off, off + len).toString('latin1').replace(/\0.*$/s, '').trim();
  const name = field(0, 100).replace(/^\.\//, '');
  // GNU base-256 sizes for members of 8 GiB or more.
  const size = header[124] & 0x80 ? Number(header.readBigUInt64BE(128 + 4)) : parseInt(field(124, 12), 8);
  // An oldgnu sparse member ('S') keeps the file's real size at offset 483.
  if (String.fromCharCode(header[156]) === 'S') return { name, size: parseInt(field(483, 12), 8) };
  return { name, size };
}

/** CRC32C (Castagnoli) tables for slicing-by-8: eight bytes per step, several times the byte loop. */
const CRC_TABLES = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k][n] = (t[k - 1][n] >>> 8) ^ t[0][t[k - 1][n] & 0xff];
  return t;
})();

/** CRC32C (Castagnoli), as GCS reports it. */
export function crc32c(buf: Buffer, prev = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES;
  let c = ~prev >>> 0;
  let i = 0;
  for (const end = buf.length - 8; i <= end; i += 8) {
    const lo = (c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))) >>> 0;
    const hi = (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24)) >>> 0;
    c = t7[lo & 0xff] ^ t6[(lo >>> 8) & 0xff] ^ t5[(lo >>> 16) & 0xff] ^ t4[lo >>> 24] ^ t3[hi & 0xff] ^ t2[(hi >>> 8) & 0xff] ^ t1[(hi >>> 16) & 0xff] ^ t0[hi >>> 24];
  }
  for (; i < buf.length; i++) c = t0[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function crcBase64(crc: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc);
  return b.toString('base64');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const config = JSON.parse(await readFile(process.argv[2], 'utf8')) as GcpServerConfig;
  const srv = await runGcpServer(config);
  process.stdout.write(`gcp-server listening on 127.0.0.1:${config.port}\n`);
  const stop = () => { void srv.close().then(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
