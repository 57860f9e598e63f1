import type { FastifyInstance } from 'fastify';
import { summarizeTdl } from '../../../domain/template/summarize-tdl.js';
import type { ImageFactoryApiDeps } from '../api-deps.js';
import { sendDocument } from '../reply.js';
import { createFields } from '../request-data.js';

/**
 * POST /imagefactory/templates/validate: the checks of a build request (the TDL parser with its
 * line-numbered errors, the OS plugin check) without building. 200 with the template's summary, or
 * the same 400 text a POST of that template would get.
 */
export function registerTemplateRoutes(app: FastifyInstance, deps: ImageFactoryApiDeps): void {
  app.post('/imagefactory/templates/validate', { config: { oauth: true } }, async (req, reply) => {
    const fields = createFields('base_image', req.body, req.headers['content-type']);
    const tdl = await deps.creator.validateTemplate(fields.template);
    const s = summarizeTdl(tdl);
    return sendDocument(req, reply, 200, {
      template: {
        valid: true, name: s.name, description: s.description, os: { name: s.osName, version: s.osVersion, arch: s.arch },
        install: { type: s.installType, source: s.installSource },
        packages: tdl.packages.map((p) => p.name),
      },
    });
  });
}
