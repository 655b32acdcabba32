// The JSON API's description. Routes declare their operations with `apiOperation`, using the
// same Zod schemas the services parse with, so the OpenAPI 3.1 document at /api/openapi.json
// and the validation cannot disagree.
//
// Writes mean what they say. A change to something that exists (PUT, PATCH, DELETE, and the
// workflow's steps) must send the `version` it started from, so nobody overwrites a change they
// have not seen. A PUT replaces the whole resource: every field of its body is required (the
// document says so, and a PUT that leaves one out is refused, 422, nothing changed); a PATCH sends
// only the fields it changes and the others stay as they are.

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import { distance as editDistance } from 'fastest-levenshtein';
import { paths } from '../../paths.ts';
import type { Permission } from '../../domain/permissions.ts';
import { ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { issuesFromZod } from '../validation.ts';

interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  /** The permission the operation needs (see platform/http/access.ts). */
  permission: Permission | readonly Permission[];
  body?: z.ZodType | undefined;
  /**
   * The body must carry the `version` the client started from. By default true for PUT, PATCH and
   * DELETE (changes to something that exists) and false for POST (which makes something new); a
   * POST that changes something (a workflow step) says true.
   */
  versioned?: boolean;
  /** Status → description of the success response. */
  success: { status: number; description: string };
  /** A download: the media types of the file the success response is (rather than JSON). */
  produces?: readonly string[];
  /**
   * An upload sent as multipart/form-data (the route reads it with readUpload): the file part's
   * description and the other fields', by name. The body schema (`body`) is then not used.
   */
  multipart?: { file: string; fields: Record<string, string> };
  /**
   * The query string's parameters, as the Zod object the handler reads them with: each property
   * becomes a query parameter of the document (its description from the schema's `describe`), and
   * the query is parsed with it before the handler runs, so a bad one is refused (422, naming it)
   * and the handler reads the parsed values.
   */
  query?: z.ZodObject | undefined;
}

const operations: Operation[] = [];

/** What an operation that answers with a document produces (PDF, Word, a workbook): see `rendersDocument`. */
const DOCUMENT_TYPES = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

const isVersioned = (op: Operation) =>
  op.versioned ?? (op.method === 'PUT' || op.method === 'PATCH' || op.method === 'DELETE');

/**
 * What a write may and must send: the fields of its body schema (and its `version` when it changes
 * something that exists), and for a PUT every field of the resource (the whole of it), which leaves
 * out a deprecated field and a `writeOnly` one (an instruction such as `confirm`, not part of the
 * resource). What else is required, the service's schema says.
 */
function bodyShape(op: Operation): { properties: string[]; required: string[] } {
  if (op.multipart) return { properties: ['file', ...Object.keys(op.multipart.fields)], required: [] };
  const schema = op.body
    ? (z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }) as {
        properties?: Record<string, { deprecated?: boolean; writeOnly?: boolean }>;
      })
    : {};
  const properties = Object.keys(schema.properties ?? {});
  const required = new Set(
    op.method === 'PUT'
      ? properties.filter((p) => !schema.properties?.[p]?.deprecated && !schema.properties?.[p]?.writeOnly)
      : [],
  );
  if (isVersioned(op)) {
    required.add('version');
    if (!properties.includes('version')) properties.push('version');
  }
  return { properties, required: [...required] };
}

/**
 * Refuses a write that leaves out what the document requires (the version, and for a PUT every
 * field), or that sends a field the operation does not take: ignored, a forged `organisationId` or
 * a misspelt `embargoUntl` would look accepted (issue 11: forged organisation ids are refused).
 */
function checkWrite(op: Operation, shape: { properties: string[]; required: string[] }, body: unknown): void {
  const given = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const issues: FieldIssue[] = op.multipart ? [] : unknownIssues('field', given, shape.properties);
  for (const field of shape.required) {
    if (given[field] !== undefined) continue;
    issues.push({
      field,
      message:
        field === 'version'
          ? 'Send the version of what you are changing, as you last read it (`version`): a change based on an older version is refused rather than overwriting someone else’s'
          : `Send ${field}: a PUT replaces the whole resource, so every field is required (to change only some fields, use PATCH)`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/** The query parameters of the document, from the operation's query schema. */
function queryParameters(op: Operation): Record<string, unknown>[] {
  if (!op.query) return [];
  const schema = z.toJSONSchema(op.query, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { description?: string } & Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, { description, ...property }]) => ({
    name,
    in: 'query',
    required: (schema.required ?? []).includes(name),
    ...(description ? { description } : {}),
    schema: property,
  }));
}

/** What a query parameter may be, in words, from its schema (for the API page). */
function allowedValues(schema: Record<string, unknown>): string | undefined {
  const en = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-GB') : String(n));
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}`;
  if (schema.type === 'integer' && schema.minimum !== undefined && schema.maximum !== undefined)
    return `a whole number from ${en(schema.minimum)} to ${en(schema.maximum)}`;
  if (schema.type === 'integer') return 'a whole number';
  if (schema.type === 'string' && schema.maxLength !== undefined)
    return `text, at most ${en(schema.maxLength)} characters`;
  return undefined;
}

/** The query parameters of an operation as the API page lists them. */
function queryParametersView(op: Operation) {
  return queryParameters(op).map((p) => ({
    name: p.name as string,
    required: p.required as boolean,
    description: p.description as string | undefined,
    allowed: allowedValues(p.schema as Record<string, unknown>),
  }));
}

/**
 * The declared names `name` may have meant: the nearest by Levenshtein distance (ignoring case), when near enough
 * to be a slip (at most a third of the longer name's letters, and at least two), or when one
 * contains the other (`priorityCode` for `priority`), counted as far as a slip may be.
 */
function nearestNames(name: string, declared: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const near = declared.flatMap((d) => {
    const other = d.toLowerCase();
    const most = Math.max(2, Math.floor(Math.max(lower.length, other.length) / 3));
    const distance = editDistance(lower, other);
    if (distance <= most) return [{ d, distance }];
    const contains = Math.min(lower.length, other.length) >= 3 && (other.includes(lower) || lower.includes(other));
    return contains ? [{ d, distance: most }] : [];
  });
  const best = Math.min(...near.map((s) => s.distance));
  return near.filter((s) => s.distance === best).map((s) => s.d);
}

const list = (names: readonly string[]) =>
  names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');

/**
 * The query parameters (or body fields) an operation does not declare, each as a problem naming it
 * and what it may have meant. An API that ignored them would answer `?ratng=high` with the whole
 * register, which a script cannot tell from a filtered one; so every operation refuses them (422),
 * before its handler runs, whether or not it declares a query or a body. HTML pages keep ignoring
 * them (docs/architecture.md).
 */
function unknownIssues(kind: 'query parameter' | 'field', query: unknown, declared: readonly string[]): FieldIssue[] {
  if (!query || typeof query !== 'object') return [];
  const known = new Set(declared);
  return Object.keys(query)
    .filter((name) => !known.has(name))
    .map((name) => {
      const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
      const meant = nearestNames(name, declared);
      const hint =
        meant.length > 0
          ? `did you mean ${list(meant)}?`
          : declared.length > 0
            ? `it takes ${list(declared)}`
            : 'it takes none';
      return {
        field: shown,
        message: `Unknown ${kind} “${shown}”: this operation does not read it, so it is refused rather than ignored; ${hint}`,
      };
    });
}

/** Registers an API route and records it for the OpenAPI document. */
export function apiOperation(
  app: FastifyInstance,
  op: Operation,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- route generics differ per operation
  handler: (request: FastifyRequest<any>, reply: FastifyReply) => Promise<unknown>,
): void {
  if (!operations.some((o) => o.method === op.method && o.url === op.url)) operations.push(op);
  const shape = op.method === 'GET' ? undefined : bodyShape(op);
  const query = op.query;
  const declared = query ? Object.keys(query.shape) : [];
  app.route({
    method: op.method,
    url: op.url,
    // An operation that answers with a document draws it after its reads, in no unit of work.
    config: {
      permission: op.permission,
      ...(op.produces?.some((type) => DOCUMENT_TYPES.has(type)) ? { rendersDocument: true } : {}),
    },
    // After access (who may use it) and before the handler, inside the request's unit of work: a
    // refused query changes nothing. Unknown parameters and bad values are named together.
    handler: ((request: FastifyRequest, reply: FastifyReply) => {
      const issues = unknownIssues('query parameter', request.query, declared);
      if (query) {
        const parsed = query.safeParse(request.query ?? {});
        if (!parsed.success) issues.push(...issuesFromZod(parsed.error));
        else if (issues.length === 0) request.query = parsed.data;
      }
      if (issues.length > 0) throw new ValidationError(issues);
      if (shape) checkWrite(op, shape, request.body);
      return handler(request, reply);
    }) as RouteHandlerMethod,
  });
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

/** An upload's request body: the file part and the form's other fields. */
function multipartBody(upload: NonNullable<Operation['multipart']>) {
  const fields = Object.entries(upload.fields).map(
    ([name, description]): [string, { type: string; description: string }] => [name, { type: 'string', description }],
  );
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: {
            file: { type: 'string', format: 'binary', description: upload.file },
            ...Object.fromEntries(fields),
          },
          required: ['file'],
        },
      },
    },
  };
}

export function openApiDocument(): Record<string, unknown> {
  const pathsObject: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const openApiPath = op.url.replace(/:(\w+)/g, '{$1}');
    const params = [
      ...[...op.url.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...queryParameters(op),
    ];
    const body = op.body
      ? (() => {
          const { $schema: _s, ...schema } = z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }) as Record<
            string,
            unknown
          >;
          // A PUT requires every field; any write to something that exists requires its version.
          const required = [
            ...new Set([
              ...(op.method === 'PUT' ? [] : ((schema.required as string[] | undefined) ?? [])),
              ...bodyShape(op).required,
            ]),
          ];
          return {
            required: true,
            content: { 'application/json': { schema: { ...schema, required } } },
          };
        })()
      : isVersioned(op)
        ? {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', properties: { version: { type: 'integer' } }, required: ['version'] },
              },
            },
          }
        : undefined;
    pathsObject[openApiPath] ??= {};
    pathsObject[openApiPath]![op.method.toLowerCase()] = {
      summary: op.summary,
      tags: [op.tag],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.multipart ? { requestBody: multipartBody(op.multipart) } : body ? { requestBody: body } : {}),
      responses: {
        [op.success.status]: {
          description: op.success.description,
          ...(op.success.status === 204
            ? {}
            : op.produces
              ? {
                  content: Object.fromEntries(
                    op.produces.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
                  ),
                }
              : { content: { 'application/json': { schema: {} } } }),
        },
        ...(op.method !== 'GET' || op.url.includes(':')
          ? {
              404: {
                description: 'Not found',
                content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
              },
            }
          : {}),
        ...(op.body || op.multipart
          ? {
              409: {
                description: 'Someone else changed it first (stale version)',
                content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
              },
            }
          : {}),
        // Every operation refuses a query parameter it does not declare, so every one may answer 422.
        422: {
          description:
            op.body || op.multipart
              ? 'Invalid input, or a query parameter that is unknown or invalid: `errors` names each field or parameter'
              : op.query
                ? 'A query parameter that is unknown or invalid: `errors` names each'
                : 'A query parameter was given (this operation takes none): `errors` names each',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Amber API',
      version: '1',
      description:
        'Improvement priorities, progress reports and the people and periods they refer to, and the efficiency diagnostic and its programme. Writes take the same input as the web forms and are validated the same way; invalid input changes nothing and is answered with a problem document naming each field. A query parameter an operation does not list is refused the same way (422, naming it and the parameter it may have meant), never ignored. ' +
        'Money: every amount in an answer is a whole number of pence (an integer, never a fraction), whatever the field is called (`central`, `amount`, `poolCost`, `due`); writes take amounts as the forms do, as text in pounds (`"£1,409,310"`, `"£9.0m"`, `"150K"`). In the diagnostic, FTE is in ten-thousandths of an FTE and shares of time in basis points.',
    },
    paths: pathsObject,
    components: { schemas: { Problem: problem } },
  };
}

export function registerApiDocs(app: FastifyInstance): void {
  app.get(paths.api.openapi, { config: { permission: 'opendata.read' } }, async () => openApiDocument());
  app.get(paths.api.docs, { config: { permission: 'opendata.read' } }, async (_request, reply) =>
    reply.view('api.njk', {
      pageTitle: 'API',
      operations: operations
        .map((o) => ({ ...o, queryParameters: queryParametersView(o) }))
        .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method)),
    }),
  );
}
