// Pages, downloads and API for progress reports: the report read like the seed document, its
// sections and key actions edited with forms that work without JavaScript, the sign-off workflow
// (submit, approve, return with a comment), its revisions and what changed between them.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, submitForm, applyRowIntent } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { toProblem } from '../../platform/http/errors.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import { todayIso, formatDate } from '../../domain/dates.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';
import type { ConflictError } from '../../domain/errors.ts';
import { renderReportPdf, renderReportDocx } from '../../render/documents.ts';
import { renderReportJson } from '../../render/json.ts';
import { renderReportHtml } from '../../render/html.ts';
import {
  presentReport,
  standingOfReadable,
  presentProgress,
  progressFormValues,
  progressItems,
  presentWorkflow,
  presentChanges,
  presentConflict,
  presentReturned,
  statusHint,
} from './report.presenter.ts';
import { presentStatus } from '../../render/report-view.ts';
import {
  sectionsInput,
  actionInput,
  newReportInput,
  moveInput,
  progressInput,
  workflowInput,
  returnInput,
  revisionCompareQuery,
  reportChangesQuery,
  type ReportChangesQuery,
} from './report.schemas.ts';
import { ReportChangedError, type ReportBundle } from './report.service.ts';
import type { ReportView } from '../../render/report-view.ts';

type Params = { code: string; period: string; n: string; format: string; id: string };
type Req = FastifyRequest<{ Params: Params; Querystring: { blank?: string; saved?: string } }>;

const DOWNLOADS = {
  pdf: { type: 'application/pdf', render: renderReportPdf },
  docx: { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', render: renderReportDocx },
  // One standalone web page, stylesheet inlined, that a council can publish as it is (it passes
  // the same accessibility checks as Amber's pages: e2e/standalone-html.test.ts).
  html: { type: 'text/html; charset=utf-8', render: async (v: ReportView) => renderReportHtml(v) },
  json: {
    type: 'application/json; charset=utf-8',
    render: async (v: Parameters<typeof renderReportJson>[0]) => renderReportJson(v),
  },
} as const;

const SAVED_MESSAGES: Record<string, string> = {
  sections: 'The report has been saved.',
  action: 'The key action has been saved.',
  'action-removed': 'The key action has been removed.',
  submitted: 'The report has been submitted for sign-off.',
  approved: 'You have signed off the report.',
  published: 'You have signed off the report: it is published.',
  returned: 'The report has been returned to draft with your comment.',
  created: 'The report has been started. Write its sections below.',
  progress: 'The milestone’s progress has been recorded.',
  graphs: 'The graphs have been chosen.',
};

function actionNumber(n: string): number {
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1)
    throw new NotFoundError('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
  return number;
}

// Who may reach each page and operation; the services check the report itself.
const read = { config: { permission: 'report.read' } } as const;
/** A report as a file: drawn after its reads have ended, in no unit of work. */
const readDocument = { config: { permission: 'report.read', rendersDocument: true } } as const;
/** The report page: a reader's page of a published revision may be kept for their session (ADR 0017). */
const readKept = { config: { permission: 'report.read', pageCache: true } } as const;
const edit = { config: { permission: 'report.edit' } } as const;
const actions = { config: { permission: 'report.update-actions' } } as const;
const submit = { config: { permission: 'report.submit' } } as const;
const signOff = { config: { permission: ['report.approve-officer', 'report.approve-director'] } } as const;

export function registerReportRoutes(app: FastifyInstance, services: Services): void {
  const { reports, people, organisations, periods, risks, sharing } = services;

  const reportLinks = (code: string, period: string) => ({
    href: paths.reports.show(code, period),
    text: 'Back to the report',
  });

  /** The conversations with the partners a report is shared with (issue 11), for those who take part. */
  const conversationsOf = async (
    request: FastifyRequest,
    ids: { priorityId: string; periodId: string; reportId: string },
    code: string,
    periodKey: string,
  ) =>
    (await sharing.conversationsOf(request.actor, ids)).map((c) => ({
      href: paths.sharing.shareReport(c.shareId, periodKey),
      partnerName: c.partnerName,
      countText: c.comments === 1 ? '1 comment' : `${c.comments === 0 ? 'No' : c.comments} comments`,
      live: c.live,
      // Where its editors change which sections that partner sees (issue 11, item 3).
      sectionsHref: c.canChooseSections ? paths.sharing.shareSections(c.shareId, code, periodKey) : undefined,
    }));

  // --- The report ------------------------------------------------------------------------
  app.get(routes.report, readKept, async (request: Req, reply) => {
    const { code, period } = request.params;
    const page = await reports.readPage(request.actor, code, period);
    if ('stored' in page) {
      // A published revision: its body as rendered once, the live parts around it (issue 14).
      const { pieces, page: of, readable } = page.stored;
      // A reader's page depends on nothing the access generation does not cover: kept for the session.
      if (page.stored.mayBeKept) request.keepPage();
      return reply.view('reports/views/report-stored.njk', {
        pageTitle: `${of.code} ${of.periodLabel} progress report`,
        section: 'priorities',
        backLink: { href: paths.priorities.show(of.code), text: `Back to ${of.code}` },
        pieces,
        // What the workflow panel and the conversations read of the report's view.
        view: { period: { key: of.periodKey, label: of.periodLabel }, lastTime: of.lastTime },
        code: of.code,
        periodKey: of.periodKey,
        flash: SAVED_MESSAGES[request.query.saved ?? ''],
        abilities: readable.abilities,
        workflow: presentWorkflow({ ...readable, bundle: readable.live }),
        version: page.stored.version,
        conversations: page.stored.ids ? await conversationsOf(request, page.stored.ids, of.code, of.periodKey) : [],
      });
    }
    const readable = page.live;
    const view = { ...presentReport(readable.snapshot), standing: standingOfReadable(readable) };
    return reply.view('reports/views/report.njk', {
      pageTitle: `${view.priority.code} ${view.period.label} progress report`,
      section: 'priorities',
      backLink: { href: paths.priorities.show(view.priority.code), text: `Back to ${view.priority.code}` },
      view,
      code: view.priority.code,
      periodKey: view.period.key,
      flash: SAVED_MESSAGES[request.query.saved ?? ''],
      editable: readable.abilities.edit,
      abilities: readable.abilities,
      // Why it is a draft again, to those who change it (issue 13).
      returned:
        readable.abilities.edit || readable.abilities.updateActions ? presentReturned(readable.bundle) : undefined,
      workflow: presentWorkflow(readable),
      // A contributor changes the key actions they are named on.
      actionsEditable:
        !readable.abilities.edit && readable.abilities.actions.length
          ? Object.fromEntries(readable.abilities.actions.map((n) => [n, true]))
          : undefined,
      progressEditable: Object.fromEntries(readable.abilities.progress.map((id) => [id, true])),
      version: readable.bundle?.report.version,
      // The conversations with the partners it is shared with (issue 11), for those who take part.
      conversations: readable.bundle
        ? await conversationsOf(
            request,
            {
              priorityId: readable.bundle.priority.id,
              periodId: readable.bundle.period.id,
              reportId: readable.bundle.report.id,
            },
            readable.bundle.priority.code,
            readable.bundle.period.key,
          )
        : [],
    });
  });

  app.get(routes.reportDownload, readDocument, async (request: Req, reply: FastifyReply) => {
    const format = request.params.format as keyof typeof DOWNLOADS;
    const download = DOWNLOADS[format];
    if (!Object.hasOwn(DOWNLOADS, format))
      throw new NotFoundError(
        'FORMAT_NOT_FOUND',
        `Reports download as pdf, docx, html or json, not ${request.params.format}`,
      );
    // What the reader may read: the live report, or for viewers the published revision.
    const readable = await reports.readable(request.actor, request.params.code, request.params.period);
    // Every output says what it is: a draft or a report in sign-off is marked on every page.
    const view = { ...presentReport(readable.snapshot), standing: standingOfReadable(readable) };
    const body = await download.render(view);
    const filename = `${view.priority.code}-${view.period.key}.${format}`.replace(/[^\w.-]+/g, '_');
    return reply.type(download.type).header('content-disposition', `attachment; filename="${filename}"`).send(body);
  });

  // --- Start a report ----------------------------------------------------------------------
  async function newReportPage(request: FastifyRequest, code: string, values: Record<string, any>, errors?: ErrorView) {
    const priority = await reports.priorityToWrite(request.actor, code);
    const [all, existing] = await Promise.all([
      periods.list(request.actor),
      reports.listForPriority(request.actor, priority.code),
    ]);
    const taken = new Set(existing.map((r) => r.periodKey));
    const free = all.filter((p) => !taken.has(p.key));
    return {
      template: 'reports/views/report-new.njk',
      pageTitle: `Start a progress report for ${priority.code}`,
      section: 'priorities',
      backLink: { href: paths.priorities.show(priority.code) },
      priority,
      errors,
      periodItems: free.map((p) => ({
        value: p.key,
        text: `${p.label} (${p.span})`,
        checked: values.period === p.key,
      })),
      action: paths.reports.create(priority.code),
    };
  }
  app.get(routes.reportNew, edit, async (request: Req, reply) => {
    const { template, ...ctx } = await newReportPage(request, request.params.code, {});
    return reply.view(template, ctx);
  });
  app.post(routes.reportCreate, edit, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => reports.create(request.actor, request.params.code, body),
      (b) => `${paths.reports.edit(b.priority.code, b.period.key)}?saved=created`,
      async (errors) => newReportPage(request, request.params.code, body, errors),
    );
  });

  // --- Sections -------------------------------------------------------------------------
  async function sectionsPage(
    request: FastifyRequest,
    bundle: ReportBundle,
    values: Record<string, any>,
    errors?: ErrorView,
    theirs?: ReportView,
    conflict?: ConflictError,
  ) {
    const chosen = new Set<string>(
      (Array.isArray(values.risks) ? values.risks : values.risks ? [values.risks] : []).map(String),
    );
    const citable = await risks.citable(request.actor, bundle.priority.id, bundle.report.riskIds);
    return {
      template: 'reports/views/report-form.njk',
      returned: presentReturned(bundle),
      theirs,
      conflict: conflict instanceof ReportChangedError ? presentConflict(conflict) : undefined,
      pageTitle: `Write the ${bundle.period.label} report for ${bundle.priority.code}`,
      section: 'priorities',
      backLink: reportLinks(bundle.priority.code, bundle.period.key),
      bundle,
      values,
      errors,
      statusItems: [
        ...bundle.statuses.map((s) => ({
          value: s.key,
          text: s.label,
          // What a status asks of the report, said where it is chosen, so sign-off brings no surprise.
          hint: { text: statusHint(s) },
          checked: values.status === s.key,
          status: presentStatus(s),
        })),
        { divider: 'or' },
        { value: '', text: 'Not assessed yet', checked: !values.status },
      ],
      action: paths.reports.edit(bundle.priority.code, bundle.period.key),
      // Rating and score in words, never colour alone.
      riskItems: citable.map((r) => ({
        value: r.id,
        text: r.description,
        checked: chosen.has(r.id),
        hint: {
          text: [
            `${r.current.rating.label} (score ${r.current.score})`,
            r.ownerName ? `owner ${r.ownerName}` : '',
            r.closed ? 'closed' : '',
          ]
            .filter(Boolean)
            .join(', '),
        },
      })),
    };
  }
  app.get(routes.reportEdit, edit, async (request: Req, reply) => {
    const bundle = await reports.formBundle(request.actor, request.params.code, request.params.period, 'edit');
    const status = bundle.statuses.find((s) => s.id === bundle.report.statusId);
    const { template, ...ctx } = await sectionsPage(request, bundle, {
      summary: bundle.report.summary,
      status: status?.key ?? '',
      statusReason: bundle.report.statusReason,
      achievements: bundle.report.achievements.join('\n'),
      challenges: bundle.report.challenges.join('\n'),
      risks: bundle.report.riskIds,
      version: bundle.report.version,
    });
    return reply.view(template, { ...ctx, flash: SAVED_MESSAGES[request.query.saved ?? ''] });
  });
  app.post(routes.reportEdit, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { code, period } = request.params;
    return submitForm(
      reply,
      () => reports.updateSections(request.actor, code, period, body),
      () => `${paths.reports.show(code, period)}?saved=sections`,
      async (errors, conflict) => {
        const bundle = await reports.getBundle(request.actor, code, period);
        // After a conflict, show what is saved now beside the person's own text, and let the next
        // save build on the current version: they decide, nothing is merged silently.
        return sectionsPage(
          request,
          bundle,
          conflict ? { ...body, version: bundle.report.version } : body,
          errors,
          conflict ? presentReport(bundle) : undefined,
          conflict,
        );
      },
    );
  });

  // --- Key actions --------------------------------------------------------------------------
  async function actionPage(
    request: FastifyRequest,
    bundle: ReportBundle,
    n: number | undefined,
    values: Record<string, any>,
    blankRows: number,
    errors?: ErrorView,
    conflict?: ConflictError,
  ) {
    if (conflict) values = { ...values, version: bundle.report.version };
    const theirs = conflict ? presentReport(bundle) : undefined;
    const [persons, partners] = await Promise.all([
      people.list(request.actor),
      organisations.listPartners(request.actor),
    ]);
    const chosen = new Set(
      (Array.isArray(values.contributors)
        ? values.contributors
        : values.contributors
          ? [values.contributors]
          : []) as string[],
    );
    const milestones = [...((values.milestones as Record<string, string>[] | undefined) ?? [])];
    for (let i = 0; i < blankRows; i++) milestones.push({ id: '', description: '', timescale: '' });
    const { code, period } = { code: bundle.priority.code, period: bundle.period.key };
    return {
      template: 'reports/views/action-form.njk',
      pageTitle: n ? `Change key action ${n}` : 'Add a key action',
      section: 'priorities',
      backLink: reportLinks(code, period),
      bundle,
      n,
      values,
      errors,
      milestones,
      theirs,
      conflict: conflict instanceof ReportChangedError ? presentConflict(conflict) : undefined,
      theirAction: theirs && n ? theirs.actions[n - 1] : undefined,
      personItems: persons.map((p) => ({
        value: `person:${p.id}`,
        text: p.name,
        hint: { text: [p.jobTitle, p.employerName].filter(Boolean).join(', ') },
        checked: chosen.has(`person:${p.id}`),
      })),
      partnerItems: partners.map((o) => ({
        value: `partner:${o.id}`,
        text: o.name,
        checked: chosen.has(`partner:${o.id}`),
      })),
      action: n ? paths.reports.actions.update(code, period, n) : paths.reports.actions.create(code, period),
      deleteAction: n ? paths.reports.actions.delete(code, period, n) : undefined,
    };
  }
  /** The form's buttons: save; save and add another milestone row; save and move a milestone. */
  function applyIntent(body: Record<string, unknown>): { input: Record<string, unknown>; blank: number } {
    const { rows, blank } = applyRowIntent(
      (body.milestones as Record<string, unknown>[] | undefined) ?? [],
      String(body.intent ?? 'save'),
    );
    // Blank rows are dropped when the form comes back, so "Add another" shows exactly one.
    const filled = rows.filter((m) => m.id || String(m.description ?? '').trim() || String(m.timescale ?? '').trim());
    return {
      input: { ...body, milestones: body.intent === undefined || body.intent === 'save' ? rows : filled },
      blank,
    };
  }

  const isRowIntent = (input: Record<string, unknown>) => input.intent !== undefined && input.intent !== 'save';

  app.get(routes.actionNew, edit, async (request: Req, reply) => {
    const bundle = await reports.formBundle(request.actor, request.params.code, request.params.period, 'edit');
    const { template, ...ctx } = await actionPage(request, bundle, undefined, { version: bundle.report.version }, 2);
    return reply.view(template, ctx);
  });
  app.post(routes.actionCreate, edit, async (request: Req, reply) => {
    const { code, period } = request.params;
    const { input, blank } = applyIntent(formBody(request));
    if (isRowIntent(input)) {
      // Add, move or remove a milestone row: show the form again; nothing is saved until "Save".
      const { template, ...ctx } = await actionPage(
        request,
        await reports.formBundle(request.actor, code, period, 'edit'),
        undefined,
        input,
        blank,
      );
      return reply.view(template, ctx);
    }
    return submitForm(
      reply,
      () => reports.addAction(request.actor, code, period, input),
      (r) => `${paths.reports.show(code, period)}?saved=action#action-${r.number}`,
      async (errors, conflict) =>
        actionPage(
          request,
          await reports.getBundle(request.actor, code, period),
          undefined,
          input,
          0,
          errors,
          conflict,
        ),
    );
  });
  app.get(routes.actionEdit, actions, async (request: Req, reply) => {
    const n = actionNumber(request.params.n);
    const bundle = await reports.formBundle(request.actor, request.params.code, request.params.period, { action: n });
    const a = bundle.report.actions[n - 1];
    if (!a) throw new NotFoundError('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
    const values = {
      description: a.description,
      version: bundle.report.version,
      contributors: a.contributors.map((c) => `${c.kind}:${c.id}`),
      milestones: a.milestones.map((m) => ({
        id: m.id,
        description: m.description,
        timescale: formatTimescale(m.timescale),
      })),
    };
    const blank = Math.min(5, Math.max(a.milestones.length === 0 ? 1 : 0, Number(request.query.blank ?? 0) || 0));
    const { template, ...ctx } = await actionPage(request, bundle, n, values, blank);
    return reply.view(template, ctx);
  });
  app.post(routes.actionUpdate, actions, async (request: Req, reply) => {
    const { code, period } = request.params;
    const n = actionNumber(request.params.n);
    const { input, blank } = applyIntent(formBody(request));
    if (isRowIntent(input)) {
      const { template, ...ctx } = await actionPage(
        request,
        await reports.formBundle(request.actor, code, period, { action: n }),
        n,
        input,
        blank,
      );
      return reply.view(template, ctx);
    }
    return submitForm(
      reply,
      () => reports.updateAction(request.actor, code, period, n, input),
      () => `${paths.reports.show(code, period)}?saved=action#action-${n}`,
      async (errors, conflict) =>
        actionPage(request, await reports.getBundle(request.actor, code, period), n, input, 0, errors, conflict),
    );
  });
  app.post(routes.actionMove, edit, async (request: Req, reply) => {
    const { code, period } = request.params;
    const n = actionNumber(request.params.n);
    const body = formBody(request);
    return submitForm(
      reply,
      () => reports.moveAction(request.actor, code, period, n, body),
      (r) => `${paths.reports.show(code, period)}#action-${r.number}`,
      async (errors) => ({
        template: 'error.njk',
        pageTitle: 'The action was not moved',
        problem: { title: 'The action was not moved', detail: errors.list.map((e) => e.text).join(' ') },
      }),
    );
  });
  app.get(routes.actionDelete, edit, async (request: Req, reply) => {
    const n = actionNumber(request.params.n);
    const bundle = await reports.formBundle(request.actor, request.params.code, request.params.period, 'edit');
    const view = presentReport(bundle);
    const action = view.actions[n - 1];
    if (!action) throw new NotFoundError('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
    return reply.view('reports/views/action-delete.njk', {
      pageTitle: `Remove key action ${n}`,
      section: 'priorities',
      backLink: { href: paths.reports.actions.edit(bundle.priority.code, bundle.period.key, n) },
      action,
      version: bundle.report.version,
      formAction: paths.reports.actions.delete(bundle.priority.code, bundle.period.key, n),
    });
  });
  app.post(routes.actionDelete, edit, async (request: Req, reply) => {
    const { code, period } = request.params;
    const n = actionNumber(request.params.n);
    const body = formBody(request);
    return submitForm(
      reply,
      () => reports.deleteAction(request.actor, code, period, n, body),
      () => `${paths.reports.show(code, period)}?saved=action-removed`,
      async (errors) => ({
        template: 'error.njk',
        pageTitle: 'The action was not removed',
        problem: { title: 'The action was not removed', detail: errors.list.map((e) => e.text).join(' ') },
      }),
    );
  });

  // --- The workflow: submit, sign off (approve or return with a comment) ----------------------
  const workflowFailed = (title: string) => async (errors: ErrorView) => ({
    template: 'error.njk',
    pageTitle: title,
    problem: { title, detail: errors.list.map((e) => e.text).join(' ') },
  });
  app.post(routes.reportSubmit, submit, async (request: Req, reply) => {
    const { code, period } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => reports.submit(request.actor, code, period, body),
      () => `${paths.reports.show(code, period)}?saved=submitted`,
      workflowFailed('The report was not submitted'),
    );
  });

  async function signOffPage(
    request: FastifyRequest,
    code: string,
    period: string,
    values: Record<string, any>,
    errors?: ErrorView,
    conflict?: ConflictError,
  ) {
    const bundle = await reports.formBundle(request.actor, code, period, 'sign-off');
    const { state, revision, publishedRevision } = bundle.report;
    // Only the decisions this person can record now: an approval the status's rule refuses, or
    // a decision on a report not waiting for them, is not offered (workflow-next says why).
    const may = reports.abilities(request.actor, bundle);
    return {
      template: 'reports/views/sign-off-form.njk',
      pageTitle: 'Sign off the report',
      section: 'priorities',
      backLink: reportLinks(bundle.priority.code, bundle.period.key),
      bundle,
      view: presentReport(bundle),
      errors,
      workflow: presentWorkflow({ state, revision, publishedRevision, bundle }),
      conflict: conflict instanceof ReportChangedError ? presentConflict(conflict) : undefined,
      // A fresh page, or one after a conflict, carries the version it shows.
      values: conflict || values.version === undefined ? { ...values, version: bundle.report.version } : values,
      decisionItems: [
        may.approve && {
          value: 'approve',
          text: 'Approve',
          hint: {
            text:
              bundle.report.state === 'officer_approved'
                ? 'As accountable director: this publishes the report.'
                : 'As accountable officer: the accountable director signs off next.',
          },
          checked: values.decision === 'approve',
        },
        may.return && {
          value: 'return',
          text: 'Return it to draft',
          hint: { text: 'Say what needs to change in the comment.' },
          checked: values.decision === 'return',
        },
      ].filter(Boolean),
      action: paths.reports.signOff(bundle.priority.code, bundle.period.key),
    };
  }
  app.get(routes.reportSignOff, signOff, async (request: Req, reply) => {
    const { code, period } = request.params;
    const { template, ...ctx } = await signOffPage(request, code, period, {});
    return reply.view(template, ctx);
  });
  app.post(routes.reportSignOff, signOff, async (request: Req, reply) => {
    const { code, period } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => reports.decide(request.actor, code, period, body),
      (r) =>
        `${paths.reports.show(code, period)}?saved=${r.state === 'published' ? 'published' : r.state === 'draft' ? 'returned' : 'approved'}#workflow`,
      async (errors, conflict) => signOffPage(request, code, period, body, errors, conflict),
    );
  });

  // --- Revisions and what changed -------------------------------------------------------------
  app.get(routes.reportRevisions, read, async (request: Req, reply) => {
    const { code, period } = request.params;
    const readable = await reports.readable(request.actor, code, period);
    const list = await reports.listRevisions(request.actor, code, period);
    const view = presentReport(readable.snapshot);
    return reply.view('reports/views/revisions.njk', {
      pageTitle: `Revisions of the ${view.period.label} report for ${view.priority.code}`,
      section: 'priorities',
      backLink: reportLinks(view.priority.code, view.period.key),
      view,
      code: view.priority.code,
      periodKey: view.period.key,
      draft: list.draft && {
        number: list.draft.number,
        stateLabel: presentWorkflow({ ...readable, state: list.draft.state }).stateLabel,
      },
      revisions: list.published.map((r, i) => ({
        number: r.number,
        publishedAt: formatDate(r.publishedAt.toISOString().slice(0, 10) as never),
        publishedBy: r.publishedBy,
        historical: r.historical,
        previous: list.published[i + 1]?.number,
      })),
    });
  });
  app.get(routes.reportRevision, read, async (request: Req, reply) => {
    const { code, period } = request.params;
    const n = Number(request.params.n);
    const revision = await reports.revisionView(request.actor, code, period, n);
    const view = presentReport(revision.snapshot);
    return reply.view('reports/views/revision.njk', {
      pageTitle: `${view.priority.code} ${view.period.label} progress report, revision ${n}`,
      section: 'priorities',
      backLink: { href: paths.reports.revisions(view.priority.code, view.period.key), text: 'All revisions' },
      view,
      n,
      draft: revision.draft,
      code: view.priority.code,
      periodKey: view.period.key,
      published: revision.published && {
        at: formatDate(revision.published.publishedAt.toISOString().slice(0, 10) as never),
        by: revision.published.publishedBy,
        historical: revision.published.historical,
      },
    });
  });
  app.get(
    routes.reportCompare,
    read,
    async (request: FastifyRequest<{ Params: Params; Querystring: Record<string, unknown> }>, reply) => {
      const { code, period } = request.params;
      const revisionsLink = { href: paths.reports.revisions(code, period), text: 'All revisions' };
      // The report exists once the service has answered, so its period key is a valid one.
      const heading = () => ({
        section: 'priorities',
        backLink: revisionsLink,
        code,
        periodLabel: periodLabel(parsePeriodKey(period)),
      });
      // A link without the revisions compares the newest with the published one before it; one
      // with a revision that is not a number says so and leads to the list, never "revision NaN".
      const query = revisionCompareQuery.safeParse(request.query);
      if (!query.success) {
        await reports.listRevisions(request.actor, code, period); // a report that is not there stays a 404
        return reply.status(400).view('reports/views/changes.njk', {
          pageTitle: 'These revisions cannot be compared',
          ...heading(),
          badQuery: { messages: query.error.issues.map((i) => i.message), revisionsHref: revisionsLink.href },
        });
      }
      const result = await reports.compareRevisions(request.actor, code, period, query.data.from, query.data.to);
      const { from, to } = result;
      if (from === null)
        return reply.view('reports/views/changes.njk', {
          pageTitle: 'No earlier revision to compare with',
          ...heading(),
          noEarlierRevision: { number: to, revisionsHref: revisionsLink.href },
        });
      return reply.view('reports/views/changes.njk', {
        pageTitle: `What changed from revision ${from} to revision ${to}`,
        ...heading(),
        changes: presentChanges(result.changes),
        beforeLabel: `Revision ${from}`,
        afterLabel: `Revision ${to}`,
      });
    },
  );
  app.get(routes.reportSinceLastPeriod, read, async (request: Req, reply) => {
    const { code, period } = request.params;
    const result = await reports.sinceLastPeriod(request.actor, code, period);
    // The report exists (else sinceLastPeriod is a 404), so its period key is a valid one.
    const label = periodLabel(parsePeriodKey(period));
    // A first report (or one whose earlier report this reader may not see) has nothing to be
    // compared with: a page that says so and leads back, not an error.
    if (!result)
      return reply.view('reports/views/changes.njk', {
        pageTitle: 'No earlier report to compare with',
        section: 'priorities',
        backLink: reportLinks(code, period),
        code,
        periodLabel: label,
        noEarlierReport: { reportHref: paths.reports.show(code, period) },
      });
    return reply.view('reports/views/changes.njk', {
      pageTitle: `What changed since the ${result.previousPeriodLabel} report`,
      section: 'priorities',
      backLink: reportLinks(code, period),
      code,
      periodLabel: label,
      changes: presentChanges(result.changes),
      beforeLabel: result.previousPeriodLabel,
      afterLabel: 'This report',
    });
  });

  // --- Graphs: which of the priority's indicators the report shows ---------------------------
  async function graphsPage(request: Req, values: { indicators?: unknown } | undefined, errors?: ErrorView) {
    const { bundle, chosen, linked } = await reports.graphChoices(
      request.actor,
      request.params.code,
      request.params.period,
    );
    const selected = new Set<string>(
      values
        ? Array.isArray(values.indicators)
          ? values.indicators
          : values.indicators
            ? [String(values.indicators)]
            : []
        : chosen,
    );
    return {
      template: 'reports/views/graphs-form.njk',
      pageTitle: 'Choose the graphs for this report',
      section: 'priorities',
      backLink: reportLinks(bundle.priority.code, bundle.period.key),
      bundle,
      errors,
      items: linked.map((i) => ({ value: i.id, text: `${i.code} ${i.title}`, checked: selected.has(i.id) })),
      action: paths.reports.graphs(bundle.priority.code, bundle.period.key),
    };
  }
  app.get(routes.reportGraphs, edit, async (request: Req, reply) => {
    const { template, ...ctx } = await graphsPage(request, undefined);
    return reply.view(template, ctx);
  });
  app.post(routes.reportGraphs, edit, async (request: Req, reply) => {
    const body = formBody(request);
    const { code, period } = request.params;
    return submitForm(
      reply,
      () => reports.chooseGraphs(request.actor, code, period, body),
      () => `${paths.reports.show(code, period)}?saved=graphs#graphs`,
      async (errors) => graphsPage(request, body, errors),
    );
  });

  // --- Progress on milestones set last time ------------------------------------------------
  type ProgressReq = FastifyRequest<{ Params: Params; Querystring: { from?: string } }>;
  const backTo = (code: string, owner: string, from: string | undefined) => {
    const target = from && /^\d{4}-\d{2}(-[hqm]\d{1,2})?$/.test(from) ? from : owner;
    return paths.reports.show(code, target);
  };
  async function progressPage(request: ProgressReq, values: Record<string, any>, errors?: ErrorView) {
    const { code, period, id } = request.params;
    const bundle = await reports.formBundle(request.actor, code, period, { milestone: id });
    const view = presentReport(bundle);
    const milestone = view.actions
      .flatMap((a) => a.milestones.map((m) => ({ ...m, action: a })))
      .find((m) => m.id === id);
    if (!milestone) throw new NotFoundError('MILESTONE_NOT_FOUND', 'There is no such milestone in this report');
    const saved = bundle.report.actions.flatMap((a) => a.milestones).find((m) => m.id === id)!;
    const v = Object.keys(values).length > 0 ? values : progressFormValues(saved);
    const presentNow = presentProgress(saved, todayIso());
    return {
      template: 'reports/views/milestone-progress-form.njk',
      pageTitle: 'Record progress on a milestone',
      section: 'priorities',
      backLink: { href: backTo(bundle.priority.code, bundle.period.key, request.query.from) },
      bundle,
      milestone,
      values: v,
      errors,
      presentNow,
      action: `${paths.reports.milestoneProgress(bundle.priority.code, bundle.period.key, id)}${request.query.from ? `?from=${encodeURIComponent(request.query.from)}` : ''}`,
      progressItems: progressItems(v.progress),
    };
  }
  app.get(routes.milestoneProgress, actions, async (request: ProgressReq, reply) => {
    const { template, ...ctx } = await progressPage(request, {});
    return reply.view(template, ctx);
  });
  app.post(routes.milestoneProgress, actions, async (request: ProgressReq, reply) => {
    const { code, period, id } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => reports.recordMilestoneProgress(request.actor, code, period, id, body),
      () => `${backTo(code, period, request.query.from)}?saved=progress`,
      async (errors) => progressPage(request, body, errors),
    );
  });

  // --- API ---------------------------------------------------------------------------------
  type P = { Params: Params };
  /** A stale version answers 409 with who changed the report since and what (changedBy, changes) beside the problem. */
  const conflictAware =
    <R extends FastifyRequest<any>>(handler: (request: R, reply: FastifyReply) => Promise<unknown>) =>
    async (request: R, reply: FastifyReply) => {
      try {
        return await handler(request, reply);
      } catch (error) {
        if (error instanceof ReportChangedError)
          return reply
            .status(409)
            .type('application/problem+json')
            .send({ ...toProblem(error), ...presentConflict(error) });
        throw error;
      }
    };
  const bundleOf = (request: FastifyRequest) => {
    const { code, period } = request.params as Params;
    return reports.getBundle(request.actor, code, period);
  };
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.reports,
      permission: 'report.read',
      summary: 'List the reports of a priority',
      tag: 'Reports',
      success: { status: 200, description: 'Reports, newest period first' },
    },
    async (request) => reports.listForPriority(request.actor, (request.params as Params).code),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: routes.api.reports,
      permission: 'report.edit',
      summary: 'Start a report for a period, e.g. {"period": "2009-10-h1"}',
      tag: 'Reports',
      body: newReportInput,
      success: { status: 201, description: 'The report' },
    },
    async (request, reply) => {
      const b = await reports.create(request.actor, (request.params as Params).code, request.body);
      return reply.status(201).send(presentReport(b));
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.report,
      permission: 'report.read',
      summary: 'A report, as rendered (the JSON download)',
      tag: 'Reports',
      success: { status: 200, description: 'The report view' },
    },
    async (request: FastifyRequest<P>) => {
      const readable = await reports.readable(request.actor, request.params.code, request.params.period);
      return { ...presentReport(readable.snapshot), workflow: presentWorkflow(readable) };
    },
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.report,
      permission: 'report.edit',
      summary:
        'Change the report’s sections (summary, status by key, reason, achievements, challenges, risks: ids of the priority’s register entries to cite)',
      tag: 'Reports',
      body: sectionsInput,
      success: { status: 200, description: 'The report view' },
    },
    conflictAware(async (request: FastifyRequest<P>) => {
      await reports.updateSections(request.actor, request.params.code, request.params.period, request.body);
      return presentReport(await bundleOf(request));
    }),
  );
  apiOperation(
    app,
    {
      method: 'PATCH',
      url: routes.api.report,
      permission: 'report.edit',
      summary:
        'Change some of the report’s sections: send `version` and the sections to change; the others stay as they are',
      tag: 'Reports',
      body: sectionsInput,
      success: { status: 200, description: 'The report view' },
    },
    conflictAware(async (request: FastifyRequest<P>) => {
      await reports.updateSections(request.actor, request.params.code, request.params.period, request.body, 'patch');
      return presentReport(await bundleOf(request));
    }),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: routes.api.actions,
      permission: 'report.edit',
      versioned: true,
      summary: 'Add a key action with contributors ("person:<id>" or "partner:<id>") and milestones',
      tag: 'Reports',
      body: actionInput,
      success: { status: 201, description: 'The report view' },
    },
    conflictAware(async (request: FastifyRequest<P>, reply) => {
      await reports.addAction(request.actor, request.params.code, request.params.period, request.body);
      return reply.status(201).send(presentReport(await bundleOf(request)));
    }),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.action,
      permission: 'report.update-actions',
      summary: 'Replace key action n (milestones keep their ids when sent back)',
      tag: 'Reports',
      body: actionInput,
      success: { status: 200, description: 'The report view' },
    },
    conflictAware(async (request: FastifyRequest<P>) => {
      await reports.updateAction(
        request.actor,
        request.params.code,
        request.params.period,
        actionNumber(request.params.n),
        request.body,
      );
      return presentReport(await bundleOf(request));
    }),
  );
  apiOperation(
    app,
    {
      method: 'DELETE',
      url: routes.api.action,
      permission: 'report.edit',
      summary: 'Remove key action n',
      tag: 'Reports',
      success: { status: 200, description: 'The report view' },
    },
    conflictAware(async (request: FastifyRequest<P>) => {
      await reports.deleteAction(
        request.actor,
        request.params.code,
        request.params.period,
        actionNumber(request.params.n),
        request.body ?? {},
      );
      return presentReport(await bundleOf(request));
    }),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: routes.api.actionMove,
      permission: 'report.edit',
      versioned: true,
      summary: 'Move key action n up or down',
      tag: 'Reports',
      body: moveInput,
      success: { status: 200, description: 'The report view' },
    },
    conflictAware(async (request: FastifyRequest<P>) => {
      await reports.moveAction(
        request.actor,
        request.params.code,
        request.params.period,
        actionNumber(request.params.n),
        request.body,
      );
      return presentReport(await bundleOf(request));
    }),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.milestoneProgress,
      permission: 'report.update-actions',
      summary:
        'Record what became of a milestone of this report: {"progress": "met"|"slipped"|"missed"|"suspended"|"none", "metOn", "revised", "reason"}',
      tag: 'Reports',
      body: progressInput,
      success: { status: 200, description: 'The report view' },
    },
    async (request: FastifyRequest<P>) => {
      await reports.recordMilestoneProgress(
        request.actor,
        request.params.code,
        request.params.period,
        request.params.id,
        request.body,
      );
      return presentReport(await bundleOf(request));
    },
  );
  // The workflow in the API: each step answers with the report view; a stale version answers 409
  // with who changed the report since and what (changedBy, changes) beside the problem.
  const step = (fn: (request: FastifyRequest<P>) => Promise<unknown>) =>
    conflictAware(async (request: FastifyRequest<P>) => {
      await fn(request);
      const readable = await reports.readable(request.actor, request.params.code, request.params.period);
      return { ...presentReport(readable.snapshot), workflow: presentWorkflow(readable) };
    });
  apiOperation(
    app,
    {
      method: 'POST',
      url: routes.api.submit,
      permission: 'report.submit',
      versioned: true,
      summary: 'Submit the report for sign-off ({"version"}); a status that needs a reason needs it first',
      tag: 'Workflow',
      body: workflowInput,
      success: { status: 200, description: 'The report view with its workflow state' },
    },
    step((request) => reports.submit(request.actor, request.params.code, request.params.period, request.body ?? {})),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: routes.api.approve,
      permission: ['report.approve-officer', 'report.approve-director'],
      versioned: true,
      summary:
        'Sign the report off as the signed-in accountable officer, then accountable director (which publishes it)',
      tag: 'Workflow',
      body: workflowInput,
      success: { status: 200, description: 'The report view with its workflow state' },
    },
    step((request) => reports.approve(request.actor, request.params.code, request.params.period, request.body ?? {})),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: routes.api.return,
      permission: ['report.approve-officer', 'report.approve-director'],
      versioned: true,
      summary: 'Return the report to draft with a comment (required), as its accountable officer or director',
      tag: 'Workflow',
      body: returnInput,
      success: { status: 200, description: 'The report view with its workflow state' },
    },
    step((request) =>
      reports.returnToDraft(request.actor, request.params.code, request.params.period, request.body ?? {}),
    ),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.revisions,
      permission: 'report.read',
      summary: 'The published revisions of the report (newest first) and the draft revision, if any',
      tag: 'Workflow',
      success: { status: 200, description: 'Revisions' },
    },
    async (request: FastifyRequest<P>) =>
      reports.listRevisions(request.actor, request.params.code, request.params.period),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.revision,
      permission: 'report.read',
      summary: 'One revision of the report as it was published (or the draft being written)',
      tag: 'Workflow',
      success: { status: 200, description: 'The report view' },
    },
    async (request: FastifyRequest<P>) =>
      presentReport(
        (
          await reports.revisionView(
            request.actor,
            request.params.code,
            request.params.period,
            Number(request.params.n),
          )
        ).snapshot,
      ),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.compare,
      permission: 'report.read',
      summary:
        'What changed between two revisions, field by field (by default the newest you may read and the published one before it), or since the last period’s report',
      tag: 'Workflow',
      query: reportChangesQuery,
      success: { status: 200, description: 'Changes' },
    },
    // The query arrives parsed by its declaration (`query` above).
    async (request: FastifyRequest<{ Params: Params; Querystring: ReportChangesQuery }>) => {
      const { code, period } = request.params;
      const { since, from, to } = request.query;
      if (since === 'last-period') return reports.sinceLastPeriod(request.actor, code, period);
      const result = await reports.compareRevisions(request.actor, code, period, from, to);
      if (result.from === null)
        throw new ValidationError([
          {
            field: 'from',
            message: `Revision ${result.to} is the first revision of this report you may read: there is no earlier revision to compare it with`,
          },
        ]);
      return result;
    },
  );
}
