import { imageMetadata } from '../../domain/image-metadata.js';
import type { ImageRecord } from '../../domain/image.js';
import type { ImageChange, ImageEvents } from '../builds/image-events.js';
import type { CallbackSender } from '../ports/callback-sender.js';
import type { Logger } from '../ports/logger.js';

/**
 * PUTs the wrapped image JSON to the image's callback URLs on every status change (not on progress),
 * in order per URL, without ever delaying the build: each URL has its own promise chain.
 */
export class CallbackDispatcher {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly send: CallbackSender, private readonly logger: Logger) {}

  attach(events: ImageEvents): () => void {
    return events.subscribe((change) => this.onChange(change));
  }

  /** Resolves when every queued delivery has been attempted (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  private onChange({ image, previousStatus }: ImageChange): void {
    if (previousStatus === undefined) return;
    const urls = callbackUrls(image);
    if (!urls.length) return;
    const { _type, id, base_image_id: _b, target_image_id: _t, ...rest } = imageMetadata(image);
    const body = JSON.stringify({ [image.kind]: { _type, id, ...rest } });
    for (const url of urls) this.enqueue(`${image.id} ${url}`, url, body);
  }

  private enqueue(key: string, url: string, body: string): void {
    if (url === 'debug') {
      this.logger.info({ body }, 'callback "debug": not sent');
      return;
    }
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.send(url, body)).catch((e) => {
      this.logger.warn({ err: (e as Error).message, url: redactedUrl(url) }, 'callback delivery failed');
    });
    this.chains.set(key, next);
    void next.finally(() => { if (this.chains.get(key) === next) this.chains.delete(key); });
  }
}

/** `parameters.callbacks` (a list, or one URL as a string: D9) or the older `callback_url`. */
export function callbackUrls(image: ImageRecord): string[] {
  const p = image.parameters;
  const raw = p.callbacks ?? p.callback_url;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.filter((u): u is string => typeof u === 'string' && u.trim() !== '').map((u) => u.trim());
}

function redactedUrl(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:REDACTED@');
}
