// Templates are compiled once (issue 14, "templates compiled once"): counted by wrapping nunjucks'
// own compiler, with the page rendered several times and by several environments; and the
// remembered resolution of GOV.UK Frontend's relative includes gives the names nunjucks gives.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { createViewEnvironment, GOVUK_FRONTEND_DIST } from './views.ts';
import { paths } from '../../paths.ts';

type Compiler = { compile(...args: unknown[]): string };
const { compiler } = nunjucks as unknown as { compiler: Compiler };
// eslint-disable-next-line @typescript-eslint/unbound-method -- applied with its own `this` below
const compile = compiler.compile;
let compilations = 0;
compiler.compile = function counted(this: Compiler, ...args: unknown[]) {
  compilations++;
  return compile.apply(this, args);
};

/**
 * The module loaded afresh, with none of its templates compiled yet: the compiled code is shared
 * by the whole process, and other files of the suite run in the same one.
 */
let fresh = 0;
const freshViews = async () => (await import(`./views.ts?fresh=${++fresh}`)) as typeof import('./views.ts');

/** The error page signed in: the layout, GOV.UK Frontend's page template and its navigation macro. */
const page = (env: nunjucks.Environment) =>
  env.render('error.njk', {
    pageTitle: 'Page not found',
    problem: { title: 'Page not found', detail: 'There is nothing here' },
    organisationName: 'Leeds City Council',
    csrfToken: 'a-token',
    currentUser: { name: 'Ada Lovelace', isAdministrator: true },
  });

describe('views', () => {
  after(() => {
    compiler.compile = compile;
  });

  it('compiles each template once, however many pages it renders', async () => {
    const env = (await freshViews()).createViewEnvironment({ paths });
    const first = compilations;
    const html = page(env);
    const once = compilations - first;
    // error.njk, layout.njk, GOV.UK Frontend's template.njk, the navigation's macro and template…
    assert.ok(once >= 5, `the first render compiled ${once} templates`);
    for (let i = 0; i < 5; i++) assert.equal(page(env), html);
    assert.equal(compilations - first, once, 'a later render compiled a template again');
  });

  it("compiles nothing for another environment's first page, which keeps its own globals", async () => {
    const { createViewEnvironment: create } = await freshViews();
    const app = create({ paths });
    const html = page(app);
    // As the published report's body renderer makes its own: the form's CSRF field is a slot.
    const body = create({ paths });
    body.addGlobal('csrfField', () => new nunjucks.runtime.SafeString('<!--csrf-->'));
    const before = compilations;
    const slotted = page(body);
    assert.equal(compilations - before, 0, 'the second environment compiled templates again');
    assert.equal(slotted, html.replace('<input type="hidden" name="_csrf" value="a-token">', '<!--csrf-->'));
    assert.notEqual(slotted, html);
    assert.equal(page(app), html, "the first environment took the second one's global");
  });

  it('compiles them again on every render while watching for changes (so the counts above can fail)', () => {
    const env = createViewEnvironment({ paths }, true);
    page(env);
    const before = compilations;
    page(env);
    assert.ok(compilations - before >= 5, `a watched render compiled ${compilations - before} templates`);
  });

  it('resolves a relative include to the file nunjucks would, for each template that names it', () => {
    const env = createViewEnvironment({ paths });
    const loader = (env as unknown as { loaders: { resolve(from: string, to: string): string }[] }).loaders[0]!;
    const button = join(GOVUK_FRONTEND_DIST, 'govuk/components/button/macro.njk');
    const link = join(GOVUK_FRONTEND_DIST, 'govuk/components/back-link/macro.njk');
    for (let i = 0; i < 2; i++) {
      assert.equal(loader.resolve(button, './template.njk'), resolve(dirname(button), './template.njk'));
      assert.equal(loader.resolve(link, './template.njk'), resolve(dirname(link), './template.njk'));
    }
    assert.notEqual(loader.resolve(button, './template.njk'), loader.resolve(link, './template.njk'));
    // And the page that includes them shows their markup: the service navigation, with the person's name.
    const html = page(env);
    assert.match(html, /class="govuk-service-navigation"/);
    assert.match(html, /Ada Lovelace/);
    assert.match(html, /name="_csrf" value="a-token"/);
  });
});
