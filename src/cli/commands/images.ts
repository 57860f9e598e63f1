import { Command } from 'commander';
import { IMAGE_CLASS, IMAGE_COLLECTION, IMAGE_KINDS, type ImageKind } from '../../domain/image.js';
import { printJson, EXIT_OK, type CliContext, type Runner } from '../cli-context.js';
import { findImage, getImage, type ImageDoc } from '../find-image.js';
import { UsageError } from '../parameters.js';

/** The metadata keys a fetch spec may name besides `type` and `identifier`. */
type FetchSpec = Record<string, unknown>;

/**
 * `images FETCH_SPEC_JSON`: the images whose metadata equals every key of the spec, as the
 * original's query (`{"type": "BaseImage"}`, `{"identifier": "<uuid>"}`, `{"status": "FAILED"}`...).
 */
export function imagesCommand(run: Runner): Command {
  return new Command('images')
    .description('list images matching a JSON fetch spec, e.g. \'{"type": "BaseImage"}\' or \'{"identifier": "<uuid>"}\'')
    .argument('[fetch_spec]', 'JSON object of metadata keys and the values they must equal', '{}')
    .action((specText: string, _opts: unknown, command: Command) => run(command, async (ctx) => {
      const spec = parseSpec(specText);
      const images = await matching(ctx, spec);
      if (ctx.output === 'json') {
        printJson(ctx, images.length === 1 && spec.identifier !== undefined ? images[0] : { images });
      } else {
        for (const image of images) {
          const detail = image.target ? ` target=${image.target}` : '';
          ctx.io.stdout.write(`${image.id}  ${image._type}  ${image.status}  ${Math.round(Number(image.percent_complete ?? 0))}%${detail}\n`);
        }
        if (!images.length) ctx.display.note('No images match.');
      }
      return EXIT_OK;
    }));
}

function parseSpec(text: string): FetchSpec {
  let spec: unknown;
  try { spec = JSON.parse(text); } catch { throw new UsageError(`images: the fetch spec must be a JSON object, got: ${text}`); }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new UsageError('images: the fetch spec must be a JSON object');
  return spec as FetchSpec;
}

async function matching(ctx: CliContext, spec: FetchSpec): Promise<ImageDoc[]> {
  const { type, identifier, ...rest } = spec;
  let kinds: readonly ImageKind[] = IMAGE_KINDS;
  if (type !== undefined) {
    const kind = IMAGE_KINDS.find((k) => IMAGE_CLASS[k] === type || k === type);
    if (!kind) throw new UsageError(`images: unknown type ${JSON.stringify(type)}; use BaseImage, TargetImage or ProviderImage`);
    kinds = [kind];
  }
  let candidates: ImageDoc[];
  if (identifier !== undefined) {
    try {
      candidates = [(await findImage(ctx.client, String(identifier), kinds)).image];
    } catch {
      candidates = [];
    }
  } else {
    candidates = [];
    for (const kind of kinds) {
      const list = await ctx.client.json<Record<string, { [k: string]: { id: string } }[]>>('GET', IMAGE_COLLECTION[kind]);
      // The list only carries ids; filtering on other keys needs each image's metadata.
      for (const item of list[IMAGE_COLLECTION[kind]]) candidates.push(await getImage(ctx.client, kind, item[kind].id));
    }
  }
  return candidates.filter((image) => Object.entries(rest).every(([key, want]) => matches(image, key, want)));
}

function matches(image: ImageDoc, key: string, want: unknown): boolean {
  const have = key === 'base_image_id' ? (image.base_image as { id?: string } | null)?.id
    : key === 'target_image_id' ? (image.target_image as { id?: string } | null)?.id
      : image[key];
  return JSON.stringify(have) === JSON.stringify(want);
}
