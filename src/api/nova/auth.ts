import type { FastifyReply, FastifyRequest } from 'fastify';
import { NovaFault } from './faults.js';

/**
 * Keystone stands in front of real Nova; here a static token → project table does its job. A
 * missing/unknown token gets keystonemiddleware's 401 body (not a Nova fault). With an empty table any
 * token and project pass, like Nova's noauth2 strategy.
 */
export function checkToken(tokens: Readonly<Record<string, string>>, req: FastifyRequest, reply: FastifyReply): boolean {
  if (Object.keys(tokens).length === 0) return true;
  const token = req.headers['x-auth-token'];
  const project = typeof token === 'string' && Object.hasOwn(tokens, token) ? tokens[token] : undefined;
  if (project === undefined) {
    reply.code(401).type('application/json')
      .header('WWW-Authenticate', 'Keystone uri="unused"')
      .send({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
    return false;
  }
  const urlProject = (req.params as { project_id?: string }).project_id;
  if (urlProject !== undefined && urlProject !== project) {
    throw new NovaFault(400, `Malformed request URL: URL's project_id '${urlProject}' doesn't match Context's project_id '${project}'`);
  }
  return true;
}
