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

/** The environments' options; the compiled code depends on them, so every environment has these. */
const OPTIONS = { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true } as const;

/**
 * Each template's compiled code, by its file, shared by every environment of the process: an app
 * has its own environment (its globals), and so do the renderers and the published report's body,
 * but the code nunjucks compiles a template to takes the environment as an argument when it runs
 * (the form nunjucks' precompiled templates take). The suite builds hundreds of apps in a process,
 * each of which compiled the layout and GOV.UK Frontend's macros again. Kept with the text it was
 * compiled from: a file that differs is compiled again.
 */
const compiledTemplates = new Map<string, { src: string; code: unknown }>();
/** nunjucks' compiler, which its typings leave out. */
const { compiler } = nunjucks as unknown as {
  compiler: { compile(src: string, asyncFilters: string[], extensions: unknown[], name: string, opts: object): string };
};

function compiledOnce(source: nunjucks.LoaderSource): nunjucks.LoaderSource {
  let kept = compiledTemplates.get(source.path);
  if (kept?.src !== source.src) {
    let code: unknown;
    try {
      const js = compiler.compile(source.src, [], [], source.path, OPTIONS);
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- what nunjucks itself does with a template's code
      code = (new Function(js) as () => unknown)();
    } catch {
      return source; // nunjucks compiles it again and reports the error with the template's name
    }
    compiledTemplates.set(source.path, (kept = { src: source.src, code }));
  }
  return { ...source, src: { type: 'code', obj: kept.code } as unknown as string };
}

/**
 * Templates are read and compiled once (`noCache` only while watching for changes in development),
 * their code shared between environments (above); `src/platform/views/views.test.ts` counts the
 * compilations. GOV.UK Frontend's macros include their markup by a relative name
 * (`{% include "./template.njk" %}`), which nunjucks resolves with `path.resolve` on every call of
 * every macro: the answer never changes, so it is remembered (a few hundred pairs of names at
 * most; on the priority list it was ~35 KB of garbage a request).
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
  if (!watch) {
    const getSource = loader.getSource.bind(loader);
    loader.getSource = (name: string) => {
      const source = getSource(name);
      return source ? compiledOnce(source) : source;
    };
  }
  return loader;
}

export function createViewEnvironment(globals: Record<string, unknown>, watch = false): nunjucks.Environment {
  const env = new nunjucks.Environment(fileLoader(watch), { ...OPTIONS });
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
