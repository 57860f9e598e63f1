import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { CompleteSnapshotCommand, EBSClient, PutSnapshotBlockCommand, StartSnapshotCommand } from '@aws-sdk/client-ebs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MOTO_KEYS } from './moto-server.js';

/**
 * EC2's VM Import snapshot operations, which moto lacks, in front of moto: `ImportSnapshot` and
 * `DescribeImportSnapshotTasks` as the EC2 API reference documents them (Query protocol, XML
 * answers, task states active → completed | deleted), every other EC2 action passed through to
 * moto unchanged. A completed import really reads the S3 object (moto's S3) and writes its
 * non-zero 512 KiB blocks into a new EBS snapshot (moto's EBS), so what follows (RegisterImage…)
 * works on a real snapshot. `mode` picks the behaviour: complete, fail (the task ends `deleted`
 * with a ClientError message), stall (stays `active` at the same progress).
 */
export interface ImportServer {
  endpoint: string;
  mode: 'complete' | 'fail' | 'stall';
  /** ImportSnapshot requests seen (their DiskContainer bucket/key and client token). */
  imports: { bucket: string; key: string; clientToken?: string }[];
  stop(): Promise<void>;
}

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const BLOCK = 512 * 1024;

interface Task { id: string; bucket: string; key: string; description: string; polls: number; status: string; progress?: string; message?: string; snapshotId?: string; size?: number }

export async function startImportServer(motoEndpoint: string): Promise<ImportServer> {
  const tasks = new Map<string, Task>();
  const cfg = { endpoint: motoEndpoint, region: 'us-east-1', credentials: MOTO_KEYS };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const ebs = new EBSClient(cfg);
  const state: ImportServer = { endpoint: '', mode: 'complete', imports: [], stop: async () => undefined };

  /** The import itself: the object's non-zero blocks into a new EBS snapshot. */
  async function convert(t: Task): Promise<void> {
    const obj = await s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: t.key }));
    const bytes = Buffer.from(await obj.Body!.transformToByteArray());
    t.size = bytes.length;
    const snap = await ebs.send(new StartSnapshotCommand({ VolumeSize: Math.max(1, Math.ceil(bytes.length / 1024 ** 3)), Description: t.description }));
    let count = 0;
    for (let i = 0; i * BLOCK < bytes.length; i++) {
      const block = Buffer.alloc(BLOCK);
      bytes.copy(block, 0, i * BLOCK, Math.min(bytes.length, (i + 1) * BLOCK));
      if (block.every((b) => b === 0)) continue;
      await ebs.send(new PutSnapshotBlockCommand({ SnapshotId: snap.SnapshotId, BlockIndex: i, BlockData: block, DataLength: BLOCK, Checksum: createHash('sha256').update(block).digest('base64'), ChecksumAlgorithm: 'SHA256' }));
      count++;
    }
    await ebs.send(new CompleteSnapshotCommand({ SnapshotId: snap.SnapshotId, ChangedBlocksCount: count }));
    t.snapshotId = snap.SnapshotId;
  }

  function detail(t: Task): string {
    return `<snapshotTaskDetail><status>${t.status}</status>${t.progress ? `<progress>${t.progress}</progress>` : ''}${t.message ? `<statusMessage>${t.message}</statusMessage>` : ''}`
      + `${t.snapshotId ? `<snapshotId>${t.snapshotId}</snapshotId>` : ''}${t.size ? `<diskImageSize>${t.size}</diskImageSize>` : ''}<format>RAW</format>`
      + `<userBucket><s3Bucket>${t.bucket}</s3Bucket><s3Key>${t.key}</s3Key></userBucket></snapshotTaskDetail>`;
  }

  function reply(res: ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  }

  async function advance(t: Task): Promise<void> {
    t.polls++;
    if (t.status !== 'active') return;
    if (state.mode === 'stall') { t.progress = '30'; t.message = 'converting'; return; }
    if (state.mode === 'fail') { t.status = 'deleted'; t.progress = undefined; t.message = 'ClientError: Disk validation failed [Unsupported specified file format]'; return; }
    if (t.polls === 1) { t.progress = '42'; t.message = 'converting'; return; }
    await convert(t);
    t.status = 'completed';
    t.progress = undefined;
    t.message = undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action');
    const requestId = randomBytes(8).toString('hex');
    if (action === 'ImportSnapshot') {
      const bucket = form.get('DiskContainer.UserBucket.S3Bucket') ?? '';
      const key = form.get('DiskContainer.UserBucket.S3Key') ?? '';
      if (!bucket || !key) return reply(res, 400, `<Response><Errors><Error><Code>InvalidParameter</Code><Message>DiskContainer.UserBucket is required</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`);
      state.imports.push({ bucket, key, clientToken: form.get('ClientToken') ?? undefined });
      const t: Task = { id: `import-snap-${randomBytes(8).toString('hex')}`, bucket, key, description: form.get('Description') ?? '', polls: 0, status: 'active', progress: '0', message: 'pending' };
      tasks.set(t.id, t);
      return reply(res, 200, `<ImportSnapshotResponse xmlns="${NS}"><requestId>${requestId}</requestId><importTaskId>${t.id}</importTaskId><description>${t.description}</description>${detail(t)}</ImportSnapshotResponse>`);
    }
    if (action === 'DescribeImportSnapshotTasks') {
      const ids = [...form.entries()].filter(([k]) => k.startsWith('ImportTaskId.')).map(([, v]) => v);
      const found = ids.map((id) => tasks.get(id));
      if (found.some((t) => !t)) return reply(res, 400, `<Response><Errors><Error><Code>InvalidConversionTaskId.Malformed</Code><Message>The import task id is not valid</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`);
      for (const t of found) await advance(t!);
      const items = found.map((t) => `<item><importTaskId>${t!.id}</importTaskId><description>${t!.description}</description>${detail(t!)}</item>`).join('');
      return reply(res, 200, `<DescribeImportSnapshotTasksResponse xmlns="${NS}"><requestId>${requestId}</requestId><importSnapshotTaskSet>${items}</importSnapshotTaskSet></DescribeImportSnapshotTasksResponse>`);
    }
    // Everything else is moto's.
    const target = new URL(req.url ?? '/', motoEndpoint);
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    upstream.end(body);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { handle(req, res, Buffer.concat(chunks)).catch((e) => { res.writeHead(500); res.end(String(e)); }); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  state.endpoint = `http://127.0.0.1:${port}`;
  state.stop = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return state;
}
