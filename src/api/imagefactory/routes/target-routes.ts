import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import type { ProviderPlugin, TargetPlugin, TargetSpec } from '../../../plugins/sdk/index.js';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import { apiRoot, sendDocument } from '../reply.js';

/**
 * /imagefactory/targets… — 501 placeholders in the original, implemented from the loaded plugins
 * (D4): the cloud targets, their formats and parameters, and the providers each can push to.
 */
export function registerTargetRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  const find = (name: string) => {
    const hit = deps.plugins.targets().find((t) => t.spec.name === name);
    if (!hit) throw new AppError('TARGET_NOT_FOUND', `No target found with id: ${name}`);
    return hit;
  };
  const targetDoc = (root: string, spec: TargetSpec, plugin: TargetPlugin) => ({
    _type: 'Target',
    id: spec.name,
    href: `${root}/targets/${spec.name}`,
    description: spec.description,
    plugin: plugin.id,
    formats: [...spec.formats],
    parameters: spec.parameters.map((p) => ({ ...p })),
    can_push: deps.plugins.providersFor(spec.name).length > 0,
    providers: { providers: deps.plugins.providersFor(spec.name).map((p) => ({ provider: providerRef(root, spec, p) })) },
  });
  const providerRef = (root: string, spec: TargetSpec, p: ProviderPlugin) => ({
    _type: 'Provider', id: p.id, href: `${root}/targets/${spec.name}/providers/${p.id}`,
  });
  const providerDoc = (root: string, spec: TargetSpec, p: ProviderPlugin) => ({
    ...providerRef(root, spec, p),
    target: spec.name,
    description: p.description,
    default: deps.plugins.providersFor(spec.name)[0] === p && p.targets !== '*',
    provider_fields: p.providerFields.map((f) => ({ ...f })),
    credential_fields: p.credentialFields.map((f) => ({ ...f })),
  });

  app.get('/imagefactory/targets', async (req, reply) =>
    sendDocument(req, reply, 200, { targets: deps.plugins.targets().map(({ spec, plugin }) => ({ target: targetDoc(apiRoot(req), spec, plugin) })) }));
  app.get('/imagefactory/targets/:t', async (req, reply) => {
    const { spec, plugin } = find((req.params as { t: string }).t);
    return sendDocument(req, reply, 200, { target: targetDoc(apiRoot(req), spec, plugin) });
  });
  app.get('/imagefactory/targets/:t/providers', async (req, reply) => {
    const { spec } = find((req.params as { t: string }).t);
    return sendDocument(req, reply, 200, { providers: deps.plugins.providersFor(spec.name).map((p) => ({ provider: providerDoc(apiRoot(req), spec, p) })) });
  });
  app.get('/imagefactory/targets/:t/providers/:p', async (req, reply) => {
    const { t, p } = req.params as { t: string; p: string };
    const { spec } = find(t);
    const provider = deps.plugins.providersFor(spec.name).find((x) => x.id === p);
    if (!provider) throw new AppError('PROVIDER_NOT_FOUND', `No provider ${p} for target ${t}`);
    return sendDocument(req, reply, 200, { provider: providerDoc(apiRoot(req), spec, provider) });
  });
}
