import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { AppError } from '../../src/domain/errors.js';
import type { ProviderPlugin, TargetPlugin } from '../../src/plugins/sdk/index.js';

/** Test double in the style of Image Factory's MockCloud: copies the disk; pushes are bookkeeping only. */
export const mockCloudPlugin: TargetPlugin = {
  id: 'MockCloud',
  info: {
    type: 'cloud',
    targets: [['mock'], ['MockCloud']],
    description: 'Test double cloud plugin',
    maintainer: { name: 'tests', email: 'tests@localhost', url: 'http://localhost' },
    version: '1.0',
    license: 'Apache-2.0',
  },
  requiredTools: [],
  targets: ['mock', 'MockCloud'].map((name) => ({
    name,
    description: 'Mock target',
    formats: ['raw'],
    parameters: [{ name: 'mock_param', description: 'a test parameter', values: ['a', 'b'] }],
  })),
  checkParameters: (_t, p) => (p.mock_param === undefined || p.mock_param === 'a' || p.mock_param === 'b' ? [] : [`mock_param must be a or b, got ${JSON.stringify(p.mock_param)}`]),
  async createTargetImage(ctx) {
    ctx.progress(50, 'Copying the mock disk');
    await copyFile(ctx.base.diskPath, ctx.outputPath);
    return { format: 'raw' };
  },
};

/** Its provider: a push reads the target image as an upload would (counting bytes sent); credentials mentioning "fail-push" fail it. */
export const mockProvider: ProviderPlugin = {
  id: 'mock-provider',
  description: 'Mock provider',
  targets: ['mock', 'MockCloud'],
  requiredTools: [],
  providerFields: [{ name: 'name', description: 'provider name' }],
  credentialFields: [{ name: 'token', description: 'a secret' }],
  check: (_t, provider) => (provider === 'bad-provider' ? ['provider bad-provider does not exist'] : []),
  async push(ctx) {
    ctx.progress(50, 'Pretending to upload');
    if (JSON.stringify(ctx.credentials ?? null).includes('fail-push')) throw new AppError('PROVIDER_FAILED', 'the mock provider refused the upload');
    for await (const chunk of createReadStream(ctx.targetImage.bodyPath)) ctx.bytesSent?.((chunk as Buffer).length);
    return { identifierOnProvider: randomUUID(), providerAccountIdentifier: 'mock_user' };
  },
  async delete(ctx) {
    // Nothing to delete on a pretend provider, except to stand for a provider that refuses.
    if (JSON.stringify(ctx.credentials ?? null).includes('fail-delete')) throw new AppError('PROVIDER_FAILED', 'the mock provider refused to delete the image');
  },
};
