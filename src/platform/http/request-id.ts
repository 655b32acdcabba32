// The request id: one per request, on every log line made through `request.log` (Fastify's
// request logger puts it there) and in the `x-request-id` header of every response, errors and
// 404s included, so a person's "it failed" with the id from their browser's network panel finds
// the log lines of that request.
//
// An id sent in by a proxy or a caller (`x-request-id`) is kept when it looks like an id (so one
// id follows a request through the load balancer and Amber); anything else, which could forge
// log lines or carry someone's data, is replaced by a fresh UUID.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { toProblem } from './errors.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What an incoming id must look like to be kept: short, and nothing a log reader could misread. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The incoming id when it is safe, else a new one. */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Fastify's options for it. `requestIdHeader: false`: Fastify would otherwise take the header's
 * value as it is, unchecked; `genReqId` reads it instead, and checks it. Log lines carry it as
 * `reqId`. `frameworkErrors`: what Fastify refuses before routing (a malformed URL such as
 * `/%zz`) runs no hook, so its answer is given the id here.
 */
export const requestIdOptions = {
  requestIdHeader: false,
  logController: new LogController({ requestIdLogLabel: 'reqId' }),
  genReqId: (request: IncomingMessage) => requestIdOf(request),
  frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = toProblem(error);
    return reply
      .header(REQUEST_ID_HEADER, request.id)
      .status(problem.status)
      .type('application/problem+json')
      .send(problem);
  },
} as const;

/** Sends the id back on every response (set first, so error pages and 404s keep it). */
export function registerRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
