// Server-rendered HTML: a Nunjucks environment over the layout, each module's views and the
// GOV.UK Frontend macros, and `reply.view(template, context)` for routes.

import nunjucks from 'nunjucks';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { FieldIssue } from '../../domain/errors.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const GOVUK_FRONTEND_DIST = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');

declare module 'fastify' {
  interface FastifyReply {
    view(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}

export interface ErrorView {
  list: { text: string; href: string }[];
  byField: Record<string, { text: string }>;
}

/** The id of a field's input: `milestones.1.timescale` → `milestones-1-timescale`. */
export const fieldId = (field: string) => field.replace(/[.[\]]+/g, '-').replace(/-+$/, '');

export function errorView(issues: FieldIssue[]): ErrorView {
  const byField: ErrorView['byField'] = {};
  for (const i of issues) byField[i.field] ??= { text: i.message };
  // A stale version is not a field the person can correct: link to the top of the page instead.
  return {
    list: issues.map((i) => ({
      text: i.message,
      href: i.field === 'version' ? '#main-content' : `#${fieldId(i.field)}`,
    })),
    byField,
  };
}

/**
 * Templates are read and compiled once (`noCache` only while watching for changes in development);
 * `src/platform/views/views.test.ts` counts the compilations. GOV.UK Frontend's macros include
 * their markup by a relative name (`{% include "./template.njk" %}`), which nunjucks resolves with
 * `path.resolve` on every call of every macro: the answer never changes, so it is remembered
 * (a few hundred pairs of names at most; on the priority list it was ~35 KB of garbage a request).
 */
function fileLoader(watch: boolean): nunjucks.FileSystemLoader {
  const loader = new nunjucks.FileSystemLoader(
    [join(here, 'templates'), join(here, '../../modules'), GOVUK_FRONTEND_DIST],
    { noCache: watch },
  );
  const resolve = loader.resolve.bind(loader);
  const resolved = new Map<string, string>();
  loader.resolve = (from: string, to: string): string => {
    const key = `${from}\0${to}`;
    let name = resolved.get(key);
    if (name === undefined) resolved.set(key, (name = resolve(from, to)));
    return name;
  };
  return loader;
}

export function createViewEnvironment(globals: Record<string, unknown>, watch = false): nunjucks.Environment {
  const env = new nunjucks.Environment(fileLoader(watch), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  for (const [k, v] of Object.entries(globals)) env.addGlobal(k, v);
  env.addGlobal('fieldId', fieldId);
  // `{{ csrfField() }}` in every form that posts: the page's CSRF token (set per request in the
  // render context as `csrfToken`) as a hidden field. Nunjucks calls globals with the context as `this`.
  env.addGlobal('csrfField', function csrfField(this: { ctx?: { csrfToken?: string } }) {
    const token = this?.ctx?.csrfToken;
    return new nunjucks.runtime.SafeString(
      token ? `<input type="hidden" name="_csrf" value="${token.replace(/[^\w-]/g, '')}">` : '',
    );
  });
  env.addFilter('paragraphs', (text: string) =>
    String(text ?? '')
      .replace(/\r\n?/g, '\n')
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean),
  );
  env.addFilter('lines', (list: string[] | undefined) => (list ?? []).join('\n'));
  return env;
}

export interface ViewsOptions {
  globals: Record<string, unknown>;
  watch?: boolean;
  /** Added to every render: e.g. the organisation's name for the header. */
  locals?: (reply: FastifyReply) => Record<string, unknown>;
}

export const viewsPlugin = fp(async (app: FastifyInstance, options: ViewsOptions) => {
  const env = createViewEnvironment(options.globals, options.watch);
  app.decorateReply('view', function view(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const nonce = (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script;
    const html = env.render(template, { ...options.locals?.(this), cspNonce: nonce, ...context });
    return this.type('text/html; charset=utf-8').send(html);
  });
});
