/**
 * Catalog API latency and throughput as the catalog grows from 1,000 to 100,000 images: Nova
 * /v2.1/images/detail?limit=1000 (a full 1,000-image page), a Nova page after a marker deep in the
 * list, and Foreman image pages (default page, an indexed name search). Figures must stay flat.
 *
 *   node --import tsx bench/catalog-bench.ts [--seconds 5]
 */
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { catalogSurfaces } from '../src/main/catalog-surfaces.js';
import { startTestDaemon, type TestDaemon } from '../test/helpers/test-daemon.js';

const SECONDS = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;
const SIZES = [1_000, 10_000, 100_000];
const CONNECTIONS = 4;
const AUTH = `Basic ${Buffer.from('bench:bench').toString('base64')}`;

interface Figures { rps: number; p50: number; p99: number; errors: number }

async function load(url: string): Promise<Figures> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: AUTH } });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

/** Seeds `n` catalog images (3 metadata items each) with one recursive-CTE insert per table. */
async function seed(d: TestDaemon, n: number): Promise<void> {
  const db = d.container.db;
  const now = new Date().toISOString();
  await sql`INSERT INTO catalog_compute_resources (name, provider, url, created_at, updated_at) VALUES ('bench-cr', 'EC2', '', ${now}, ${now})`.execute(db);
  await sql`INSERT INTO catalog_operatingsystems (name, major, minor, title, created_at, updated_at) VALUES ('Fedora', '40', '', 'Fedora 40', ${now}, ${now})`.execute(db);
  await sql`INSERT INTO catalog_architectures (name, created_at, updated_at) VALUES ('x86_64', ${now}, ${now})`.execute(db);
  await sql`WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < ${n})
    INSERT INTO catalog_images (nova_id, name, state, size, min_disk, min_ram, compute_resource_id, operatingsystem_id, architecture_id,
      uuid, username, user_data, created_at, updated_at)
    SELECT printf('00000000-0000-4000-8000-%012d', k), 'img-' || k, 'active', 1073741824, 10, 0, 1, 1, 1,
      'ami-' || k, 'fedora', 0, strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || k || ' seconds'), ${now}
    FROM s`.execute(db);
  for (const key of ['os_distro', 'architecture', 'image_type']) {
    await sql`INSERT INTO catalog_image_metadata (image_id, key, value) SELECT id, ${key}, 'v' || (id % 7) FROM catalog_images`.execute(db);
  }
  await sql`ANALYZE`.execute(db);
}

async function main() {
  const rows: string[] = [];
  for (const n of SIZES) {
    const d = await startTestDaemon({ surfaces: catalogSurfaces(), file: { foreman_users: { bench: 'bench' } } });
    try {
      const t0 = Date.now();
      await seed(d, n);
      const seeded = Date.now() - t0;
      const mid = `00000000-0000-4000-8000-${String(Math.floor(n / 2)).padStart(12, '0')}`;
      const cases: [string, string][] = [
        ['Nova /v2.1/images/detail?limit=1000', `${d.url}/v2.1/images/detail?limit=1000`],
        ['Nova /v2.1/images/detail?limit=100&marker=<middle>', `${d.url}/v2.1/images/detail?limit=100&marker=${mid}`],
        ['Foreman images page (per_page=20, order=name)', `${d.url}/api/compute_resources/1/images?per_page=20&order=name`],
        [`Foreman images search name="img-<middle>",operatingsystem=1`, `${d.url}/api/compute_resources/1/images?search=${encodeURIComponent(`name="img-${Math.floor(n / 2)}",operatingsystem=1`)}`],
      ];
      for (const [label, url] of cases) {
        const check = await fetch(url, { headers: { authorization: AUTH } });
        if (check.status !== 200) throw new Error(`${label}: HTTP ${check.status} ${await check.text()}`);
        for (let i = 0; i < 20; i++) await (await fetch(url, { headers: { authorization: AUTH } })).arrayBuffer(); // warm-up
        const f = await load(url);
        rows.push(`| ${n.toLocaleString('en')} | ${label} | ${f.p50} | ${f.p99} | ${Math.round(f.rps)} | ${f.errors} |`);
        console.error(rows[rows.length - 1]);
      }
      console.error(`seeded ${n} images in ${seeded} ms`);
    } finally {
      await d.stop();
    }
  }
  console.log(`Catalog APIs (${CONNECTIONS} connections, ${SECONDS} s per case, node ${process.version})\n`);
  console.log('| images | request | p50 ms | p99 ms | req/s | errors |');
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

await main();
