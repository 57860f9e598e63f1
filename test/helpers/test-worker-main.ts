import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { builtinPlugins } from '../../src/main/builtin-plugins.js';
import { startWorker } from '../../src/main/worker.js';
import { mockOsPlugin } from '../doubles/mock-os-plugin.js';

/**
 * A real worker process (src/main/worker.ts's startWorker) with the product plugins plus the MockOS
 * double (slow, cancellable base builds on demand). Configured by IMAGEFACTORY_* variables.
 */
const config = loadConfig({ env: process.env });
const builtin = builtinPlugins();
const worker = await startWorker({
  config,
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  plugins: { os: [mockOsPlugin, ...builtin.os], cloud: builtin.cloud, providers: builtin.providers },
  env: {},
});
process.stderr.write(`worker ${worker.id} ready: ${worker.capabilities.join(' ')}\n`);
process.on('SIGTERM', () => { void worker.stop(Number(process.env.TEST_WORKER_GRACE_MS ?? 0)).finally(() => process.exit(0)); });
