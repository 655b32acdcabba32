// The one error handler. AppErrors carry a stable code and an HTTP status; the API answers
// with an RFC 9457 problem document (with a field list for validation errors), pages with a
// GOV.UK-style error page. Production never shows a stack trace.

import type { FastifyInstance, FastifyError, FastifyRequest, FastifyReply } from 'fastify';
import { AppError, ValidationError, type FieldIssue } from '../../domain/errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldIssue[];
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign in to continue',
  403: 'You do not have permission',
  404: 'Page not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'There is a problem with the information you entered',
  429: 'Too many requests',
  500: 'Sorry, there is a problem with the service',
  503: 'Sorry, the service is unavailable',
};

export function toProblem(error: unknown): Problem {
  if (error instanceof ValidationError) {
    return {
      type: 'about:blank',
      title: TITLES[422]!,
      status: 422,
      code: error.code,
      detail: error.issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      errors: error.issues,
    };
  }
  if (error instanceof AppError) {
    return {
      type: 'about:blank',
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      code: error.code,
      detail: error.message,
    };
  }
  const fe = error as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const validation = (fe as FastifyError & { validation?: { instancePath?: string; message?: string }[] }).validation;
    return {
      type: 'about:blank',
      title: TITLES[fe.statusCode] ?? 'Bad request',
      status: fe.statusCode,
      code: fe.code ?? 'BAD_REQUEST',
      detail: fe.message,
      ...(validation
        ? {
            errors: validation.map((v) => ({
              field: (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || '(body)',
              message: v.message ?? 'is not valid',
            })),
          }
        : {}),
    };
  }
  return {
    type: 'about:blank',
    title: TITLES[500]!,
    status: 500,
    code: 'INTERNAL',
    detail:
      'Something went wrong on our side. Nothing you sent has been half-saved: try again, and tell the system administrator if it happens again.',
  };
}

const wantsJson = (request: FastifyRequest) => request.url.startsWith('/api/') || request.url === '/api';

export function registerErrorHandling(app: FastifyInstance, production: boolean): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    if (wantsJson(request)) {
      return reply.status(problem.status).type('application/problem+json').send(problem);
    }
    return reply.status(problem.status).view('error.njk', {
      pageTitle: problem.title,
      problem,
      stack: !production && problem.status >= 500 ? (error as Error).stack : undefined,
    });
  });

  // The not-found page knows who is asking (the header shows them), as a page anyone may reach.
  const notFound = async (request: FastifyRequest, reply: FastifyReply) => {
    const problem: Problem = {
      type: 'about:blank',
      title: TITLES[404]!,
      status: 404,
      code: 'NOT_FOUND',
      detail: `There is nothing at ${request.url.split('?')[0]}`,
    };
    if (wantsJson(request)) return reply.status(404).type('application/problem+json').send(problem);
    return reply.status(404).view('error.njk', { pageTitle: problem.title, problem });
  };
  app.setNotFoundHandler(app.accessGuard ? app.accessGuard(notFound, { permission: 'account.sign-in' }) : notFound);
}
