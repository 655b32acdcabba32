// The import rules of docs/architecture.md (and STYLE.md), as dependency-cruiser rules: one rule
// per row of the "Import rules" table, plus two that keep the rules honest (an import that cannot
// be resolved, and a module reaching into another module's insides). `test/architecture.test.ts`
// runs them on every `npm test` and proves each one by planting a forbidden import; by hand:
//
//   npx depcruise src migrations                      (fails on anything not in the baseline)
//   npx depcruise src migrations --output-type baseline > .dependency-cruiser-known-violations.json
//
// Known breaks are listed in .dependency-cruiser-known-violations.json: they are reported, not
// failed, so a NEW break fails while the old ones wait to be fixed. Regenerate it only when a
// known break is fixed (the list must shrink), never to let a new one in.
//
// Roles by path (test files, *.test.ts and *.test-helper.ts, are not checked):
//
//   routes        src/modules/*/*.routes.ts          (incl. account.sso.routes.ts, indicator-transfer.routes.ts)
//                 and src/modules/*/*.api.ts (a module's JSON API operations, registered from its routes)
//   handlers      src/modules/*/*.job.ts, *.scheduler.ts
//                 the background equivalents of routes: they are entry points that call a
//                 service, present and render (boardpack.job.ts), or drive a service on a timer
//                 (reminder.scheduler.ts); they get the routes' rule
//   schemas       src/modules/*/*.schemas.ts
//   presenters    src/modules/*/*.presenter.ts
//   repositories  src/modules/*/*.repository.ts
//   services      every other file of a module: *.service.ts, src/modules/*/use-cases/*.ts, and the
//                 files a service is built from —
//                   reports: report.aggregate.ts (the one write path), report.snapshot.ts (a report
//                   as its frozen content), report.events.ts (the hook listeners get, inside the
//                   unit), report.types.ts, report.errors.ts, report.diff.ts (pure comparison);
//                   indicators: indicator-transfer.ts and indicator-definitions.ts (spreadsheet
//                   readers/writers that the transfer service calls; they write nothing);
//                   diagnostic: diagnostic-transfer.ts (the workbook reader), diagnostic-demo.ts;
//                   reminders: reminder.schedule.ts (pure rules), reminder.messages.ts (e-mail words);
//                   accounts: account.sso.ts (the OpenID Connect client the sign-on routes call);
//                   demo: demo-accounts.ts, vfm-4d.ts (the demo's data, loaded by demo.service.ts)
//                 A new file in a module with no role suffix is therefore part of its service.
//   domain        src/domain/**
//   render        src/render/**
//   platform      src/platform/**
//   cli           src/cli/**
//   migrations    migrations/**
//   composition   src/app.ts, src/composition.ts, src/server.ts, src/config.ts, src/paths.ts,
//                 src/permissions-doc.ts, src/schema.ts, src/schema/** (free, but see the rules)
//
// "Only src/config.ts reads process.env" and "only src/server.ts listens" are not imports: ESLint
// checks them (eslint.config.js, `amber/architecture`).

const MODULE = '^src/modules/([^/]+)/';
const ROUTES = '^src/modules/[^/]+/[^/]+\\.(routes|api)\\.ts$';
const JOBS = '^src/modules/[^/]+/[^/]+\\.(job|scheduler)\\.ts$';
const SCHEMAS = '^src/modules/[^/]+/[^/]+\\.schemas\\.ts$';
const PRESENTERS = '^src/modules/[^/]+/[^/]+\\.presenter\\.ts$';
const REPOSITORIES = '^src/modules/[^/]+/[^/]+\\.repository\\.ts$';
const NOT_SERVICES = [ROUTES, JOBS, SCHEMAS, PRESENTERS, REPOSITORIES];

// Packages, matched wherever node_modules is (the proof in test/architecture.test.ts runs in a temp dir).
const pkg = (names) => `(^|/)node_modules/(${names})/`;
// SQL: the query builder, the drivers, Kysely's table types and the database platform.
const SQL_PACKAGES = pkg('kysely|pg|pg-[^/]+|@types/pg|@electric-sql/pglite');
const TABLE_TYPES = '^src/schema(\\.ts$|/)';
const PLATFORM_DB = '^src/platform/db/';
const UNIT_OF_WORK = '^src/platform/db/unit-of-work\\.ts$';
const HTTP_AND_VIEWS = pkg('fastify|fastify-plugin|@fastify/[^/]+|nunjucks');

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'routes',
      comment:
        'Routes (and job handlers) are thin: parse, authorise, call a service, present. They never touch ' +
        'repositories, kysely, pg or platform/db; the use case owns the SQL and the transaction.',
      severity: 'error',
      from: { path: [ROUTES, JOBS] },
      to: { path: [REPOSITORIES, SQL_PACKAGES, TABLE_TYPES, PLATFORM_DB] },
    },
    {
      name: 'schemas',
      comment:
        'Schemas are pure contracts: zod, platform/validation, domain and other schemas only ' +
        '(never services, repositories, kysely or the table types).',
      severity: 'error',
      from: { path: SCHEMAS },
      to: { pathNot: ['^src/domain/', '^src/platform/validation\\.ts$', SCHEMAS, pkg('zod')] },
    },
    {
      name: 'presenters',
      comment:
        'Presenters turn domain into view models: never repositories, kysely, pg, the table types or ' +
        'platform/db, not even for a type (rows never leave the repository).',
      severity: 'error',
      from: { path: PRESENTERS },
      to: { path: [REPOSITORIES, SQL_PACKAGES, TABLE_TYPES, PLATFORM_DB] },
    },
    {
      name: 'presenters-call-no-services',
      comment:
        'Presenters never call a service. They may import its types (type-only): the domain types a ' +
        'service returns are declared beside it, and docs/architecture.md allows it.',
      severity: 'error',
      from: { path: PRESENTERS },
      to: { path: MODULE, pathNot: NOT_SERVICES, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services',
      comment:
        'Services (use cases) know nothing of HTTP or views (fastify, @fastify/*, nunjucks), never ' +
        'import presenters, routes or job handlers, reach other modules only through their services, ' +
        'and reach the database only through their own repository; of platform/db only the ' +
        'unit-of-work types.',
      severity: 'error',
      from: { path: MODULE, pathNot: NOT_SERVICES },
      to: {
        path: [HTTP_AND_VIEWS, PRESENTERS, ROUTES, JOBS, REPOSITORIES, SQL_PACKAGES, TABLE_TYPES, PLATFORM_DB],
        pathNot: [UNIT_OF_WORK, '^src/modules/$1/[^/]+\\.repository\\.ts$'],
      },
    },
    {
      name: 'repositories',
      comment:
        'Repositories hold the SQL: kysely, platform/db, the table types, domain. They never import ' +
        'services, routes, job handlers or presenters (not even their types: the layers point down).',
      severity: 'error',
      from: { path: REPOSITORIES },
      to: { path: '^src/modules/', pathNot: [REPOSITORIES, SCHEMAS] },
    },
    {
      name: 'domain',
      comment: 'Domain is pure: it imports nothing in src/ outside domain, no packages, no Node built-ins.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'render',
      comment:
        'Renderers take view models and domain values: never modules (repositories, services, ...), ' +
        'kysely, pg, the table types or platform/db.',
      severity: 'error',
      from: { path: '^src/render/' },
      to: { path: ['^src/modules/', SQL_PACKAGES, TABLE_TYPES, PLATFORM_DB] },
    },
    {
      name: 'platform',
      comment:
        'Platform knows nothing of councils: of src/ it imports only platform, domain, config.ts and ' +
        'paths.ts (never modules, composition.ts, app.ts, server.ts, cli or render).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/', pathNot: ['^src/platform/', '^src/domain/', '^src/config\\.ts$', '^src/paths\\.ts$'] },
    },
    {
      name: 'cli',
      comment: 'The CLI is thin: it calls services through the composition root, never repositories or SQL.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: [REPOSITORIES, SQL_PACKAGES] },
    },
    {
      name: 'migrations',
      comment: 'Migrations are frozen: they import kysely and nothing else (nothing in src/).',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { pathNot: pkg('kysely') },
    },
    {
      name: 'modules-through-services',
      comment:
        'A module reaches another module only through its service, schemas or presenter, never its ' +
        'use cases, aggregate, repository or other insides.',
      severity: 'error',
      from: { path: MODULE },
      to: {
        path: '^src/modules/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/[^/]+\\.(service|schemas|presenter)\\.ts$'],
      },
    },
    {
      name: 'unresolvable',
      comment:
        'An import the cruiser cannot resolve would slip past every rule above (its path is not a ' +
        'file), so it fails on its own.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Test files import across layers on purpose (builders, helpers); they are not checked.
    exclude: { path: '\\.test\\.ts$|\\.test-helper\\.ts$' },
    // Packages are leaves: what kysely imports is not ours to check.
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a presenter reaching for a repository's row type is still a break.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
