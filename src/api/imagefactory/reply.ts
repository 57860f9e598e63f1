import type { FastifyReply, FastifyRequest } from 'fastify';
import { negotiateFormat } from './negotiate.js';
import { renderXml } from './xml-response.js';

/** Sends a document as JSON, or as legacy XML when the Accept header asks for it. */
export function sendDocument(request: FastifyRequest, reply: FastifyReply, status: number, doc: Record<string, unknown>): FastifyReply {
  const format = negotiateFormat(request.headers.accept);
  reply.code(status);
  if (format === 'xml') return reply.type('application/xml; charset=UTF-8').send(renderXml(doc));
  return reply.type('application/json').send(JSON.stringify(doc));
}

/** The URL as requested (scheme://host/path), which hrefs are built from. */
export function requestUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${request.url.split('?')[0]}`;
}

/** scheme://host/imagefactory, for relation hrefs (never nested). */
export function apiRoot(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}/imagefactory`;
}
