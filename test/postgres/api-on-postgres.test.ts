import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

/**
 * The API suites again, unchanged, with every test daemon on a real PostgreSQL 15 database instead
 * of SQLite (test/helpers/test-daemon.ts honours IMAGEFACTORY_TEST_DATABASE_URL). Parametrised, not
 * copied: each suite runs as its own `node --test` process against one private cluster.
 * IMAGEFACTORY_PG_SUITES=a.test.ts,b.test.ts narrows the list.
 */
const SUITES = [
  'imagefactory/images-api.test.ts',
  'imagefactory/bad-input.test.ts',
  'imagefactory/callbacks.test.ts',
  'imagefactory/credential-refs.test.ts',
  'imagefactory/build-engine.test.ts',
  'imagefactory/oauth.test.ts',
  'import/import-api.test.ts',
  'catalog/nova-api.test.ts',
  'catalog/foreman-api.test.ts',
  'catalog/hostway-api.test.ts',
  'catalog/factory-sync.test.ts',
  'cli/cli-commands.test.ts',
];

const selected = process.env.IMAGEFACTORY_PG_SUITES?.split(',').map((s) => s.trim()).filter(Boolean);
let server: PostgresServer;

before(async () => { server = await startPostgres(); });
after(async () => { await server?.stop(); });

for (const suite of SUITES) {
  const skip = selected && !selected.some((s) => suite.endsWith(s));
  test(`${suite} on PostgreSQL`, { skip }, async () => {
    const file = fileURLToPath(new URL(`../${suite}`, import.meta.url));
    const { code, output } = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], { IMAGEFACTORY_TEST_DATABASE_URL: server.url });
    assert.equal(code, 0, `${suite} failed on PostgreSQL:\n${output.slice(-6000)}`);
    assert.match(output, /ℹ pass [1-9]/, `${suite} ran no test:\n${output.slice(-2000)}`);
  });
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Without NODE_TEST_CONTEXT: the child is a test run of its own, not a subprocess of ours.
    const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
    const child = spawn(cmd, args, { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}
