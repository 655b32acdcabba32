// The JSON API's description. Routes declare their operations with `apiOperation`, using the
// same Zod schemas the services parse with, so the OpenAPI 3.1 document at /api/openapi.json
// and the validation cannot disagree.

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import { paths } from '../../paths.ts';

interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  body?: z.ZodType | undefined;
  /** Status → description of the success response. */
  success: { status: number; description: string };
}

const operations: Operation[] = [];

/** Registers an API route and records it for the OpenAPI document. */
export function apiOperation(
  app: FastifyInstance,
  op: Operation,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- route generics differ per operation
  handler: (request: FastifyRequest<any>, reply: FastifyReply) => Promise<unknown>,
): void {
  if (!operations.some((o) => o.method === op.method && o.url === op.url)) operations.push(op);
  app.route({ method: op.method, url: op.url, handler: handler as RouteHandlerMethod });
}

const problem = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
        required: ['field', 'message'],
      },
    },
  },
  required: ['title', 'status', 'code', 'detail'],
};

export function openApiDocument(): Record<string, unknown> {
  const pathsObject: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const openApiPath = op.url.replace(/:(\w+)/g, '{$1}');
    const params = [...op.url.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const body = op.body
      ? (() => {
          const { $schema: _s, ...schema } = z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }) as Record<
            string,
            unknown
          >;
          return { required: true, content: { 'application/json': { schema } } };
        })()
      : undefined;
    pathsObject[openApiPath] ??= {};
    pathsObject[openApiPath]![op.method.toLowerCase()] = {
      summary: op.summary,
      tags: [op.tag],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: {
        [op.success.status]: {
          description: op.success.description,
          ...(op.success.status === 204 ? {} : { content: { 'application/json': { schema: {} } } }),
        },
        ...(op.method !== 'GET' || op.url.includes(':')
          ? {
              404: {
                description: 'Not found',
                content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
              },
            }
          : {}),
        ...(op.body
          ? {
              409: {
                description: 'Someone else changed it first (stale version)',
                content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
              },
              422: {
                description: 'Invalid input: `errors` names each field',
                content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
              },
            }
          : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Amber API',
      version: '1',
      description:
        'Improvement priorities, progress reports and the people and periods they refer to. Writes take the same input as the web forms and are validated the same way; invalid input changes nothing and is answered with a problem document naming each field.',
    },
    paths: pathsObject,
    components: { schemas: { Problem: problem } },
  };
}

export function registerApiDocs(app: FastifyInstance): void {
  app.get(paths.api.openapi, { config: { public: true } }, async () => openApiDocument());
  app.get(paths.api.docs, { config: { public: true } }, async (_request, reply) =>
    reply.view('api.njk', {
      pageTitle: 'API',
      operations: operations
        .map((o) => ({ ...o }))
        .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method)),
    }),
  );
}
