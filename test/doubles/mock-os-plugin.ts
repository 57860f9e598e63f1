import { writeFile, truncate } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../src/domain/errors.js';
import type { OsPlugin } from '../../src/plugins/sdk/index.js';

/**
 * Test double in the style of Image Factory's MockOS: writes a tiny sparse "disk" and a tar, no OS.
 * Parameters steer it: mock_delay_ms (sleeps in steps, reporting progress, cancellable) and
 * mock_fail (fails with that message).
 */
export const mockOsPlugin: OsPlugin = {
  id: 'MockOS',
  info: {
    type: 'os',
    targets: [['MockOS_A', null, null], ['MockOS_B', '1', 'x86_64']],
    description: 'Test double OS plugin',
    maintainer: { name: 'tests', email: 'tests@localhost', url: 'http://localhost' },
    version: '1.0',
    license: 'Apache-2.0',
  },
  requiredTools: [{ command: 'tar', debianPackage: 'tar' }],
  check: (tdl) => (tdl.os.arch === 'x86_64' || tdl.os.arch === 'i386' ? [] : [`MockOS cannot build ${tdl.os.arch}`]),
  async createBaseImage(ctx) {
    const delay = Number(ctx.parameters.mock_delay_ms ?? 0);
    for (let step = 1; step <= 4; step++) {
      if (ctx.signal.aborted) throw new AppError('BUILD_CANCELLED');
      ctx.progress(step * 25, `Mock step ${step} of 4`);
      if (delay) await sleep(delay / 4, undefined, { signal: ctx.signal }).catch(() => { throw new AppError('BUILD_CANCELLED'); });
    }
    if (typeof ctx.parameters.mock_fail === 'string') throw new AppError('BUILD_FAILED', ctx.parameters.mock_fail);
    await writeFile(ctx.outputs.diskPath, `MockOS disk for ${ctx.template.name}\n`);
    await truncate(ctx.outputs.diskPath, 4 * 1024 * 1024);
    await ctx.exec(['tar', '-cf', ctx.outputs.rootfsTarPath, '-C', ctx.workDir, '--files-from', '/dev/null']);
    return {
      packages: [{ name: 'mock-base', version: '1.0-1', arch: 'amd64' }, { name: 'mock-<tools>&', version: '2', arch: 'all' }],
      properties: { mock: true },
    };
  },
};
