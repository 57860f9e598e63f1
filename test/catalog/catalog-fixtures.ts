import { catalogSurfaces } from '../../src/main/catalog-surfaces.js';
import { mockTemplate, startTestDaemon, waitForStatus, type TestDaemon, type TestDaemonOptions } from '../helpers/test-daemon.js';

/** A test daemon with the catalog surfaces mounted. */
export function startCatalogDaemon(opts: TestDaemonOptions = {}): Promise<TestDaemon> {
  return startTestDaemon({ ...opts, surfaces: catalogSurfaces() });
}

/** Creates a mock target image through the Image Factory API and waits until it is COMPLETE. */
export async function buildTargetImage(url: string, name = 'mock-image', extraTdl = ''): Promise<string> {
  const res = await fetch(`${url}/imagefactory/target_images`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target_image: { target: 'mock', template: mockTemplate(name, extraTdl) } }),
  });
  if (res.status !== 202) throw new Error(`target image create: HTTP ${res.status} ${await res.text()}`);
  const id = ((await res.json()) as { target_image: { id: string } }).target_image.id;
  await waitForStatus(url, `/imagefactory/target_images/${id}`, ['COMPLETE']);
  return id;
}

/** Polls `check` until it returns true (the sync applies factory events asynchronously). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
