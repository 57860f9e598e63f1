import { AppError } from '../../domain/errors.js';
import { parseTdl } from '../../domain/template/parse-tdl.js';
import { TdlError } from '../../domain/template/tdl-error.js';
import type { Tdl } from '../../domain/template/tdl.js';
import type { ImageStore } from '../ports/image-store.js';

/** Fetches a template from an http(s) URL with a size limit and timeout. */
export type TemplateFetcher = (url: string) => Promise<string>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves the `template` value of a request, as the API documents it (D10): inline TDL XML, an
 * http(s) URL, or the UUID of an existing image whose template is reused. Never a server path.
 * Returns the XML and its parsed form, or throws TEMPLATE_INVALID (400) with the line number.
 */
export async function resolveTemplate(value: unknown, deps: { store: ImageStore; fetchTemplate: TemplateFetcher; rootpwRequired: boolean }): Promise<{ xml: string; tdl: Tdl }> {
  if (typeof value !== 'string' || !value.trim()) {
    throw new AppError('TEMPLATE_INVALID', 'template is missing: give TDL XML, an http(s) URL or the id of an existing image');
  }
  const text = value.trim();
  let xml: string;
  if (text.startsWith('<')) {
    xml = value;
  } else if (/^https?:\/\//i.test(text)) {
    xml = await deps.fetchTemplate(text);
  } else if (UUID.test(text)) {
    const image = await deps.store.get(text.toLowerCase());
    if (!image?.template) throw new AppError('TEMPLATE_INVALID', `template: no image with id ${text} holds a template`);
    xml = image.template;
  } else {
    throw new AppError('TEMPLATE_INVALID', 'template must be TDL XML, an http(s) URL or the id of an existing image');
  }
  try {
    return { xml, tdl: parseTdl(xml, { rootpwRequired: deps.rootpwRequired }) };
  } catch (e) {
    if (e instanceof TdlError) throw new AppError('TEMPLATE_INVALID', `template: ${e.message}`);
    throw e;
  }
}
