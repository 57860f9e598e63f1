import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runTool } from '../../src/platform/exec.js';
import { spawnDaemon, waitListening, type DaemonProcess } from '../helpers/daemon-process.js';
import { makeSyntheticDisk } from '../helpers/synthetic-disk.js';

/**
 * kill -9 of the daemon's whole process group in the middle of builds, again and again: each restart
 * must leave no record lost or stuck, no tool running, no FUSE mount, no orphan file, and every
 * finished image's body unchanged. The targets with in-image edits run them through a FUSE export
 * (qemu-storage-daemon), which never exits on its own: exactly what a hard crash leaves behind.
 */
const CYCLES = 20;
const TARGETS = ['ec2', 'vsphere', 'gce', 'openstack-kvm'];
const TERMINAL = new Set(['COMPLETE', 'FAILED']);
const json = { 'content-type': 'application/json' };

interface Image { id: string; status: string; kind: string }

/** Deterministic "random" kill points (seeded), so a failure reproduces. */
function seeded(seed: number): () => number {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Processes whose command line names the data directory (build tools, qemu-storage-daemon). */
async function processesUnder(dir: string, except: number[] = []): Promise<{ pid: number; cmd: string }[]> {
  const out: { pid: number; cmd: string }[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e) || except.includes(Number(e))) continue;
    const cmd = (await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    if (cmd.includes(dir) && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) out.push({ pid: Number(e), cmd });
  }
  return out;
}

async function fuseMountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter((l) => l.includes(' - fuse')).map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(dir));
}

/** Allocated bytes of every file under `path` (what du counts). */
async function allocated(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.blocks * 512;
  let total = 0;
  for (const e of await readdir(path)) total += await allocated(join(path, e));
  return total;
}

describe('kill -9 of the whole daemon, mid-build, many times: nothing lost, stuck or left behind', () => {
  let dir: string;
  let dataDir: string;
  let diskPath: string;
  let daemon: DaemonProcess | undefined;
  let url = '';
  const args = () => ['--foreground', '--config', join(dir, 'crash.conf'), '--data_dir', dataDir, '--port', '0', '--address', '127.0.0.1'];

  const start = async () => {
    daemon = spawnDaemon(args(), {}, { ownProcessGroup: true });
    url = await waitListening(daemon, 60_000);
  };
  const killGroup = async () => {
    const d = daemon!;
    process.kill(-d.child.pid!, 'SIGKILL');
    await d.exited;
    daemon = undefined;
  };
  /** Every image with its status (listings hold references only, so each is read). */
  const list = async (): Promise<Image[]> => {
    const out: Image[] = [];
    for (const c of ['base_images', 'target_images']) {
      const doc = (await (await fetch(`${url}/imagefactory/${c}`)).json()) as Record<string, Record<string, Image>[]>;
      for (const item of doc[c]) {
        const res = await fetch(`${url}/imagefactory/${c}/${Object.values(item)[0].id}`);
        if (res.status === 200) out.push({ ...Object.values((await res.json()) as Record<string, Image>)[0], kind: c.slice(0, -1) });
        else await res.arrayBuffer(); // deleted meanwhile
      }
    }
    return out;
  };
  const get = async (id: string): Promise<Image | undefined> => {
    for (const c of ['base_images', 'target_images']) {
      const res = await fetch(`${url}/imagefactory/${c}/${id}`);
      if (res.status === 200) return Object.values((await res.json()) as Record<string, Image>)[0];
      await res.arrayBuffer();
    }
    return undefined;
  };

  before(async () => {
    dir = await mkdtemp('/var/tmp/ifd-crash-');
    dataDir = join(dir, 'data');
    await mkdir(join(dir, 'disk'));
    diskPath = (await makeSyntheticDisk(join(dir, 'disk'), { sizeMiB: 32, blobMiB: 4 })).path;
    await writeFile(join(dir, 'crash.conf'), JSON.stringify({ no_ssl: true, no_oauth: true, boot_test: false, max_concurrent_local_sessions: 2, fuse_edits: true }));
  });
  after(async () => {
    if (daemon) await killGroup().catch(() => undefined);
    for (const p of await processesUnder(dir)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const m of await fuseMountsUnder(dir)) await runTool(['umount', '-l', m]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  test(`${CYCLES} hard crashes during conversions, imports and deletes`, { timeout: 15 * 60_000 }, async () => {
    const random = seeded(8);
    await start();
    // The imported disk every target is converted from.
    const res = await fetch(`${url}/imagefactory/base_images/import?os_name=Debian&os_version=12&name=crash-base&format=raw`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: await readFile(diskPath),
    });
    assert.equal(res.status, 202, await res.clone().text());
    const baseId = ((await res.json()) as { base_image: Image }).base_image.id;
    for (let i = 0; (await get(baseId))?.status !== 'COMPLETE'; i++) {
      assert.ok(i < 600, 'the import completes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const diskHash = await sha256(diskPath);
    const bodyHashes = new Map<string, string>();
    const deleted = new Set<string>();
    const created = new Set<string>([baseId]);
    let cyclesWithTools = 0;
    let cyclesWithMounts = 0;
    const requeued = new Set<string>();
    const wasBuildingAtAKill = new Set<string>();
    const atKill = (): Image[] => {
      const db = new Database(join(dataDir, 'imagefactory.sqlite'), { readonly: true });
      try { return db.prepare('SELECT id, kind, status FROM images').all() as Image[]; } finally { db.close(); }
    };

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Work for this cycle: conversions, a delete of a finished one, and (odd cycles) an upload cut off.
      for (let k = 0; k < 3; k++) {
        const target = TARGETS[(cycle * 3 + k) % TARGETS.length];
        const r = await fetch(`${url}/imagefactory/target_images`, { method: 'POST', headers: json, body: JSON.stringify({ target_image: { target, base_image_id: baseId } }) });
        assert.equal(r.status, 202, await r.clone().text());
        created.add(((await r.json()) as { target_image: Image }).target_image.id);
      }
      const finished = (await list()).filter((i) => i.kind === 'target_image' && i.status === 'COMPLETE');
      if (finished.length && cycle % 2 === 0) {
        const victim = finished[Math.floor(random() * finished.length)].id;
        assert.equal((await fetch(`${url}/imagefactory/target_images/${victim}`, { method: 'DELETE' })).status, 204);
        deleted.add(victim);
      }
      let upload: ReturnType<typeof httpRequest> | undefined;
      if (cycle % 2 === 1) {
        upload = httpRequest(`${url}/imagefactory/base_images/import?os_name=Debian&os_version=12&name=cut-off`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': String(32 * 1024 * 1024) } });
        upload.on('error', () => undefined);
        upload.write(Buffer.alloc(4 * 1024 * 1024, 1));
      }
      // Kill while a tool runs, preferably while a FUSE export is up (it never exits on its own).
      const wanted = random() < 0.7 ? 'qemu-storage-daemon' : '';
      let running: { pid: number; cmd: string }[] = [];
      for (let i = 0; i < 300; i++) {
        running = await processesUnder(dataDir, [daemon!.child.pid!]);
        if (running.some((t) => t.cmd.includes(wanted))) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await killGroup();
      // What the dead daemon had recorded at the very moment of the kill.
      const before = atKill();
      for (const image of before) if (image.status === 'BUILDING') wasBuildingAtAKill.add(image.id);
      upload?.destroy();
      // Tools that ran at the kill (they die with the daemon, or the next start kills them).
      const leftovers = [...running, ...await processesUnder(dataDir)];
      if (running.length) cyclesWithTools++;
      const mountsAtKill = await fuseMountsUnder(dir);
      if (mountsAtKill.length) cyclesWithMounts++;

      await start();
      // No tool of the dead daemon survives its successor's start, and no FUSE mount either.
      for (const p of leftovers) {
        const cmd = (await readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
        assert.notEqual(cmd, p.cmd, `tool ${p.pid} (${p.cmd.slice(0, 80)}) still runs after the restart`);
      }
      // The new daemon may already export disks for builds it queued again, never the dead ones'.
      const stale = (await fuseMountsUnder(dir)).filter((m) => mountsAtKill.includes(m));
      assert.deepEqual(stale, [], 'no FUSE mount of the dead daemon is left');
      const now = new Map((await list()).map((i) => [i.id, i]));
      for (const id of created) {
        if (deleted.has(id)) assert.equal(now.get(id), undefined, `deleted image ${id} is gone, not DELETEFAILED`);
        else assert.ok(now.get(id), `image ${id} survived`);
      }
      for (const image of before) {
        const after = now.get(image.id);
        if (!after) continue;
        if (image.status === 'PENDING' || image.status === 'NEW') {
          assert.notEqual(after.status, 'FAILED', `${image.id} had not started: queued again, not failed`);
          requeued.add(image.id);
        }
        if (image.status === 'BUILDING') assert.equal(after.status, 'FAILED', `${image.id} was killed mid-build`);
        if (image.status === 'DELETING') assert.fail(`${image.id} was DELETING and must be gone`);
      }
      // Bodies of finished images never change; files belong to records only.
      assert.equal(await sha256(join(dataDir, 'storage', `${baseId}.body`)), diskHash, 'the imported base image body is intact');
      for (const e of await readdir(join(dataDir, 'storage'))) {
        const id = e.replace(/\.body$/, '');
        assert.ok(now.has(id), `storage/${e} belongs to an image`);
        assert.doesNotMatch(e, /partial/);
      }
      for (const e of await readdir(join(dataDir, 'images'))) assert.ok(now.has(e), `images/${e} belongs to an image`);
      for (const image of now.values()) {
        if (image.status !== 'COMPLETE' || image.id === baseId) continue;
        const hash = await sha256(join(dataDir, 'storage', `${image.id}.body`));
        assert.equal(bodyHashes.get(image.id) ?? hash, hash, `body of ${image.id} unchanged`);
        bodyHashes.set(image.id, hash);
      }
    }
    assert.ok(cyclesWithMounts >= 2, `FUSE exports were up at the kill in ${cyclesWithMounts} of ${CYCLES} cycles`);
    assert.ok(cyclesWithTools >= CYCLES / 2, `tools were running at the kill in ${cyclesWithTools} of ${CYCLES} cycles`);

    // Let the queued builds finish: nothing stays stuck.
    let images: Image[] = [];
    for (let i = 0; ; i++) {
      images = await list();
      if (images.every((x) => TERMINAL.has(x.status))) break;
      assert.ok(i < 1200, `stuck: ${images.filter((x) => !TERMINAL.has(x.status)).map((x) => `${x.id} ${x.status}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const complete = images.filter((x) => x.kind === 'target_image' && x.status === 'COMPLETE').length;
    assert.ok(complete >= 3, `${complete} conversions completed and survived (${images.length} images, ${deleted.size} deleted)`);
    // The kills hit queued builds and deletes too: queued ones were built after the restart.
    assert.ok(requeued.size >= 3, `${requeued.size} queued builds were interrupted`);
    for (const id of requeued) {
      if (!wasBuildingAtAKill.has(id) && !deleted.has(id)) assert.equal(images.find((x) => x.id === id)?.status, 'COMPLETE', `queued-again ${id} completed`);
    }
    for (const x of images) if (x.status === 'FAILED') assert.ok(wasBuildingAtAKill.has(x.id), `${x.id} failed only because a kill hit its build`);
    assert.ok(deleted.size >= 3, `${deleted.size} deletes were in flight at a kill`);
    for (const x of images.filter((i) => i.kind === 'target_image' && i.status === 'COMPLETE')) {
      await runTool(['qemu-img', 'info', join(dataDir, 'storage', `${x.id}.body`)]);
    }
    await daemon!.stop('SIGTERM');
    daemon = undefined;

    // Disk usage: exactly the surviving images' files; no scratch, temp files or mounts left.
    assert.deepEqual(await readdir(join(dataDir, 'images')), []);
    assert.deepEqual(await readdir(join(dataDir, 'tmp')), []);
    assert.deepEqual(await processesUnder(dataDir), []);
    assert.deepEqual(await fuseMountsUnder(dir), []);
    const ids = new Set(images.map((i) => i.id));
    let owned = 0;
    for (const image of images) {
      if (image.status === 'COMPLETE') owned += await allocated(join(dataDir, 'storage', `${image.id}.body`));
      owned += await allocated(join(dataDir, 'storage', image.id));
    }
    for (const e of await readdir(join(dataDir, 'storage'))) assert.ok(ids.has(e.replace(/\.body$/, '')), `storage/${e} is owned`);
    const used = await allocated(join(dataDir, 'storage')) + await allocated(join(dataDir, 'images')) + await allocated(join(dataDir, 'tmp'));
    assert.equal(used, owned, 'disk usage equals the surviving images\' files');
  });
});
