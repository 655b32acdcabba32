// A published revision's report body, rendered once (issue 14, "published revisions rendered once
// and served from their stored form"). It is the report content template the live page, a revision's
// page, a shared report and the standalone document all print (views/report-content.njk), rendered
// from the revision's snapshot twice — for a reader, and for someone who may change the report —
// with what depends on the request left as slots the page fills in each time: the sign-off
// workflow panel, the CSRF field of a form, the report's version. Nothing else in the body depends
// on who reads it or when: a snapshot is shown as of the day it was published.
//
// `version` is a digest of everything that can change how a body renders: this module's code and
// templates, the render layer, the domain, the shared macros, the URLs and GOV.UK Frontend's
// version. A body stored by another version is rendered again, never served, so a change to a
// template or presenter cannot leave stale HTML behind. It is computed once per process: templates
// changed while Amber runs (AMBER_WATCH_TEMPLATES) reach a published report's stored body at the
// next start.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { ReportSnapshot } from '../../domain/report-snapshot.ts';
import { createViewEnvironment, GOVUK_FRONTEND_DIST } from '../../platform/views/views.ts';
import { paths } from '../../paths.ts';
import { presentReport, presentStanding } from './report.presenter.ts';
import type { ReportBodyPiece, ReportBodyRenderer, ReportBodySlot, StoredReportBody } from './report.types.ts';

/** Bump to re-render every stored body when something outside the digested files changes how one looks. */
const BODY_FORMAT = 1;

const SLOTS: readonly ReportBodySlot[] = ['workflow', 'csrf', 'version'];
// An HTML comment: autoescaped text (everything a person typed) can never contain a raw `<`, and
// the charts' SVG escapes its text, so only the renderer's own slots match.
const marker = (slot: ReportBodySlot) => new nunjucks.runtime.SafeString(`<!--amber-slot:${slot}-->`);
const MARKERS = new RegExp(`<!--amber-slot:(${SLOTS.join('|')})-->`);

/** The rendered HTML cut at its slots: `a<!--amber-slot:csrf-->b` → `['a', { slot: 'csrf' }, 'b']`. */
export function cutAtSlots(html: string): ReportBodyPiece[] {
  const parts = html.split(MARKERS);
  // split with a capture group alternates text, slot name, text...
  return parts.flatMap((part, i): ReportBodyPiece[] =>
    i % 2 === 1 ? [{ slot: part as ReportBodySlot }] : part === '' ? [] : [part],
  );
}

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const sourceFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|njk)$/.test(e.name) && !/\.test(-helper)?\.ts$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();

/**
 * What a body's rendering depends on, hashed: once per process (the files are those it loaded), not
 * once per app or test database that builds the services.
 */
let digest: string | undefined;
export function rendererDigest(): string {
  return (digest ??= digestSources());
}

function digestSources(): string {
  const hash = createHash('sha256').update(`format ${BODY_FORMAT}\n`);
  const files = [
    ...sourceFiles('src/modules/reports'),
    ...sourceFiles('src/render'),
    ...sourceFiles('src/domain'),
    'src/platform/views/templates/macros.njk',
    'src/platform/views/views.ts',
    'src/paths.ts',
  ];
  for (const file of files) hash.update(`${file}\n`).update(readFileSync(join(root, file)));
  hash.update(readFileSync(join(GOVUK_FRONTEND_DIST, '../package.json')));
  return `${BODY_FORMAT}-${hash.digest('hex').slice(0, 20)}`;
}

/**
 * The renderer the reports service stores bodies with. `version` may be given (tests: a renderer
 * "changed" since a body was stored); by default it is the digest above.
 */
export function createReportBodyRenderer(options: { version?: string } = {}): ReportBodyRenderer {
  let env: nunjucks.Environment | undefined;
  let version = options.version;
  const environment = () => {
    if (env) return env;
    env = createViewEnvironment({ paths });
    // Forms' CSRF fields are the request's: a slot.
    env.addGlobal('csrfField', () => marker('csrf'));
    return env;
  };

  return {
    get version() {
      return (version ??= rendererDigest());
    },

    render(snapshot: ReportSnapshot): StoredReportBody {
      const number = snapshot.report.revision;
      const view = {
        ...presentReport(snapshot),
        standing: presentStanding({
          state: 'published',
          revision: number,
          published: { number, publishedAt: new Date(snapshot.asOf) },
          updatedAt: snapshot.report.updatedAt,
        }),
      };
      // Someone who may change the report may record the progress of every milestone set last time.
      const lastMilestones = (view.lastTime?.actions ?? []).flatMap((a) => a.milestones.flatMap((m) => m.id ?? []));
      const context = (editable: boolean) => ({
        view,
        code: view.priority.code,
        periodKey: view.period.key,
        editable,
        progressEditable: editable ? Object.fromEntries(lastMilestones.map((id) => [id, true])) : undefined,
        // The panel is live (the decisions made, the buttons this person may press); what the body
        // itself prints of the workflow is fixed for a published revision: its state and number.
        workflow: { state: 'published', revision: number },
        workflowSlot: marker('workflow'),
        version: marker('version'),
      });
      const render = (editable: boolean) =>
        cutAtSlots(environment().render('reports/views/report-content.njk', context(editable)));
      return {
        reader: render(false),
        editor: render(true),
        page: {
          code: view.priority.code,
          periodKey: view.period.key,
          periodLabel: view.period.label,
          lastTime: view.lastTime ? { periodLabel: view.lastTime.periodLabel } : null,
        },
      };
    },
  };
}
