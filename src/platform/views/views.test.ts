// Templates are compiled once (issue 14, "templates compiled once"): counted by wrapping nunjucks'
// own compilation, with the page rendered several times; and the remembered resolution of
// GOV.UK Frontend's relative includes gives the names nunjucks gives.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { createViewEnvironment, GOVUK_FRONTEND_DIST } from './views.ts';
import { paths } from '../../paths.ts';

type Compilable = { _compile(...args: unknown[]): unknown };
const proto = nunjucks.Template.prototype as unknown as Compilable;
// eslint-disable-next-line @typescript-eslint/unbound-method -- applied with its own `this` below
const compile = proto._compile;
let compilations = 0;
proto._compile = function counted(this: Compilable, ...args: unknown[]) {
  compilations++;
  return compile.apply(this, args);
};

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
    proto._compile = compile;
  });

  it('compiles each template once, however many pages it renders', () => {
    const env = createViewEnvironment({ paths });
    const first = compilations;
    const html = page(env);
    const once = compilations - first;
    // error.njk, layout.njk, GOV.UK Frontend's template.njk, the navigation's macro and template…
    assert.ok(once >= 5, `the first render compiled ${once} templates`);
    for (let i = 0; i < 5; i++) assert.equal(page(env), html);
    assert.equal(compilations - first, once, 'a later render compiled a template again');
  });

  it('compiles them again on every render while watching for changes (so the count above can fail)', () => {
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
