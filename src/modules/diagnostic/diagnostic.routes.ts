// Pages of the efficiency diagnostic (issue 5, part 1): exercises, the workbook download and
// upload (multipart, this plugin's scope only, up to AMBER_MAX_DIAGNOSTIC_UPLOAD_MB), the data-quality page, posts
// corrected one at a time, and the baseline with its drill-down and XLSX downloads.

import { megabytes } from '../../domain/limits.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { ValidationError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import { can } from '../../domain/permissions.ts';
import { formatDate, fromDbDate } from '../../domain/dates.ts';
import { formBody, submitForm, selectItems, applyRowIntent } from '../../platform/http/forms.ts';
import { errorView, type ErrorView } from '../../platform/views/views.ts';
import { formatFte } from '../../domain/diagnostic/baseline.ts';
import { formatMoney, pence } from '../../domain/diagnostic/money.ts';
import { formatScaled } from '../../domain/diagnostic/decimal.ts';
import type { ExerciseBaseline } from './diagnostic.service.ts';
import { writeTableXlsx, writeWorkbook, SHEETS } from './diagnostic-transfer.ts';
import {
  exerciseFormValues,
  functionChart,
  functionsTable,
  headline,
  matrixTable,
  nonPayTable,
  presentExercise,
  presentExerciseRow,
  processChart,
  processesTable,
  spansTable,
  targetSpanFrom,
  TARGET_SPANS,
  summaryTable,
  tableByKey,
  unitChart,
  unitsTable,
  xlsxRows,
} from './diagnostic.presenter.ts';
import { readUpload } from '../../platform/http/upload.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../../config.ts';

type IdReq = FastifyRequest<{ Params: { id: string } }>;
const UPLOAD_STATES = {
  queued: 'Waiting to start',
  running: 'In progress',
  done: 'Finished',
  failed: 'Not imported',
} as const;
type CodeReq = FastifyRequest<{ Params: { id: string; code: string } }>;

export function registerDiagnosticRoutes(
  app: FastifyInstance,
  services: Services,
  limits: Pick<InputLimits, 'diagnosticUploadBytes'> = DEFAULT_INPUT_LIMITS,
): void {
  const { diagnostics } = services;
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const sendXlsx = (reply: FastifyReply, filename: string, body: Buffer) =>
    reply
      .header('content-type', XLSX)
      .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '-')}"`)
      .send(body);

  async function exerciseForm(
    request: FastifyRequest,
    title: string,
    action: string,
    values: Record<string, any>,
    errors?: ErrorView,
  ) {
    const versions = await diagnostics.listTaxonomyVersions(request.actor);
    const taxonomyId = String(values.taxonomyVersionId || versions[0]?.id || '');
    const taxonomy = taxonomyId
      ? await diagnostics.getTaxonomy(request.actor, taxonomyId).catch(() => undefined)
      : undefined;
    const chosen = new Set<string>(
      Array.isArray(values.scope) ? values.scope : values.scope ? [String(values.scope)] : [],
    );
    return {
      template: 'diagnostic/views/exercise-form.njk',
      pageTitle: title,
      section: 'diagnostic',
      backLink: { href: paths.diagnostic.list },
      action,
      values: { ...values, taxonomyVersionId: taxonomyId },
      errors,
      taxonomyItems: selectItems(
        versions,
        (v) => v.id,
        (v) => v.name,
        taxonomyId,
      ),
      scopeItems: (taxonomy?.functions ?? []).map((f) => ({
        value: f.code,
        text: f.name,
        checked: chosen.has(f.code),
      })),
    };
  }

  app.get(
    paths.diagnostic.list,
    { config: { permission: 'diagnostic.read' } },
    async (request: FastifyRequest<{ Querystring: { deleted?: string } }>, reply) => {
      const exercises = await diagnostics.listExercises(request.actor);
      return reply.view('diagnostic/views/list.njk', {
        pageTitle: 'Efficiency diagnostic',
        section: 'diagnostic',
        exercises: exercises.map(presentExerciseRow),
        flash: request.query.deleted === '1' ? 'The exercise has been deleted.' : undefined,
      });
    },
  );
  async function taxonomyForm(request: FastifyRequest, values: Record<string, any>, errors?: ErrorView) {
    const versions = await diagnostics.listTaxonomyVersions(request.actor);
    return {
      template: 'diagnostic/views/taxonomy-form.njk',
      pageTitle: 'Extend a process taxonomy',
      section: 'diagnostic',
      backLink: { href: paths.diagnostic.list },
      values,
      errors,
      baseItems: selectItems(
        versions,
        (v) => v.id,
        (v) => v.name,
        String(values.basedOnId ?? versions[0]?.id ?? ''),
      ),
    };
  }
  app.get(paths.diagnostic.taxonomyNew, { config: { permission: 'diagnostic.edit' } }, async (request, reply) => {
    const { template, ...ctx } = await taxonomyForm(request, {});
    return reply.view(template, ctx);
  });
  app.post(paths.diagnostic.taxonomies, { config: { permission: 'diagnostic.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => diagnostics.extendTaxonomyFromForm(request.actor, body),
      () => `${paths.diagnostic.new}?taxonomy=added`,
      async (errors) => taxonomyForm(request, body, errors),
    );
  });
  app.get(
    paths.diagnostic.new,
    { config: { permission: 'diagnostic.edit' } },
    async (request: FastifyRequest<{ Querystring: { taxonomy?: string } }>, reply) => {
      const { template, ...ctx } = await exerciseForm(request, 'Start a diagnostic exercise', paths.diagnostic.list, {
        financialYear: '',
      });
      const versions = await diagnostics.listTaxonomyVersions(request.actor);
      // After extending a taxonomy, the new version (the last made) is offered first.
      if (request.query.taxonomy === 'added' && versions.length > 1) {
        const { template: t2, ...withNew } = await exerciseForm(
          request,
          'Start a diagnostic exercise',
          paths.diagnostic.list,
          { financialYear: '', taxonomyVersionId: versions.at(-1)!.id },
        );
        return reply.view(t2, { ...withNew, flash: 'The new taxonomy version has been saved.' });
      }
      return reply.view(template, ctx);
    },
  );
  app.post(paths.diagnostic.list, { config: { permission: 'diagnostic.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => diagnostics.createExercise(request.actor, body),
      (id) => paths.diagnostic.show(id),
      async (errors) => exerciseForm(request, 'Start a diagnostic exercise', paths.diagnostic.list, body, errors),
    );
  });
  app.get(
    paths.diagnostic.edit(':id'),
    { config: { permission: 'diagnostic.edit' } },
    async (request: IdReq, reply) => {
      const e = await diagnostics.getExercise(request.actor, request.params.id);
      const { template, ...ctx } = await exerciseForm(
        request,
        'Change the exercise',
        paths.diagnostic.edit(e.id),
        exerciseFormValues(e),
      );
      return reply.view(template, ctx);
    },
  );
  app.post(
    paths.diagnostic.edit(':id'),
    { config: { permission: 'diagnostic.edit' } },
    async (request: IdReq, reply) => {
      const body = formBody(request);
      const { id } = request.params;
      return submitForm(
        reply,
        () => diagnostics.updateExercise(request.actor, id, body),
        () => paths.diagnostic.show(id),
        (errors) => exerciseForm(request, 'Change the exercise', paths.diagnostic.edit(id), body, errors),
      );
    },
  );

  // Deleting an exercise: a page that lists everything that goes with it (or why it cannot go), then its form.
  async function deletePage(request: IdReq, errors?: ErrorView) {
    const d = await diagnostics.exerciseDeletion(request.actor, request.params.id);
    const e = presentExercise(d.exercise);
    return {
      template: 'diagnostic/views/exercise-delete.njk',
      pageTitle: d.refusal ? 'The exercise cannot be deleted' : 'Delete the exercise',
      section: 'diagnostic',
      backLink: { href: e.links.show, text: e.name },
      exercise: e,
      version: d.exercise.version,
      refusal: d.refusal,
      removes: d.removes,
      dataHref: e.links.data,
      formAction: paths.diagnostic.delete(d.exercise.id),
      errors,
    };
  }
  app.get(
    paths.diagnostic.delete(':id'),
    { config: { permission: 'diagnostic.edit' } },
    async (request: IdReq, reply) => {
      const { template, ...ctx } = await deletePage(request);
      return reply.view(template, ctx);
    },
  );
  app.post(
    paths.diagnostic.delete(':id'),
    { config: { permission: 'diagnostic.edit' } },
    async (request: IdReq, reply) => {
      const body = formBody(request);
      return submitForm(
        reply,
        () => diagnostics.deleteExercise(request.actor, request.params.id, body),
        () => `${paths.diagnostic.list}?deleted=1`,
        (errors) => deletePage(request, errors),
      );
    },
  );

  const sheetItems = [
    { value: '', text: 'Not a CSV file' },
    { value: 'units', text: SHEETS.units },
    { value: 'posts', text: SHEETS.posts },
    { value: 'allocations', text: SHEETS.allocations },
    { value: 'non-pay', text: SHEETS.nonPay },
    { value: 'volumes', text: SHEETS.volumes },
  ];
  async function exercisePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    errors?: ErrorView,
    status = 200,
    flash?: string,
  ) {
    const e = await diagnostics.getExercise(request.actor, id);
    const counts = await diagnostics.countData(request.actor, id);
    // The clubs its baseline is contributed to, following it (ADR 0018).
    const mayClubs = can(request.actor, 'clubs.read');
    const consents = (mayClubs ? await services.clubs.consents(request.actor, { exerciseId: e.id }) : []).map((c) => ({
      ...c,
      embargoUntil: c.embargoUntil && formatDate(fromDbDate(c.embargoUntil)),
    }));
    return reply.status(status).view('diagnostic/views/exercise.njk', {
      consents,
      pageTitle: e.name,
      section: 'diagnostic',
      maxSize: megabytes(limits.diagnosticUploadBytes),
      backLink: { href: paths.diagnostic.list, text: 'All exercises' },
      exercise: presentExercise(e),
      counts,
      errors,
      problemCount: errors?.list.length ?? 0,
      sheetItems,
      flash,
    });
  }
  app.get(
    paths.diagnostic.show(':id'),
    { config: { permission: 'diagnostic.read' } },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { imported?: string } }>, reply) => {
      const n = Number(request.query.imported);
      return exercisePage(
        request,
        reply,
        request.params.id,
        undefined,
        200,
        Number.isInteger(n) && n >= 0 && request.query.imported !== undefined
          ? `The data was imported: ${n.toLocaleString('en-GB')} posts.`
          : undefined,
      );
    },
  );
  app.get(
    paths.diagnostic.template(':id'),
    { config: { permission: 'diagnostic.edit', rendersDocument: true } },
    async (request: IdReq, reply) => {
      const w = await diagnostics.workbookData(request.actor, request.params.id, { empty: true });
      return sendXlsx(reply, w.filename, await writeWorkbook(w.taxonomy, w.data));
    },
  );
  app.get(
    paths.diagnostic.data(':id'),
    { config: { permission: 'diagnostic.read', rendersDocument: true } },
    async (request: IdReq, reply) => {
      const w = await diagnostics.workbookData(request.actor, request.params.id);
      return sendXlsx(reply, w.filename, await writeWorkbook(w.taxonomy, w.data));
    },
  );

  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: limits.diagnosticUploadBytes, files: 1, fields: 10 } });
    scope.post(
      paths.diagnostic.upload(':id'),
      { config: { permission: 'diagnostic.edit' } },
      async (request: IdReq, reply) => {
        const { id } = request.params;
        try {
          // Not multipart: no file; the service checks permission before saying so.
          const { file, fields } = request.isMultipart()
            ? await readUpload(request, { maxBytes: limits.diagnosticUploadBytes })
            : { file: undefined, fields: {} as Record<string, string> };
          const result = await diagnostics.upload(request.actor, id, {
            file,
            sheet: fields.sheet,
            version: fields.version,
          });
          if ('jobId' in result) return reply.redirect(paths.diagnostic.uploadJob(id, result.jobId), 303);
          return reply.redirect(`${paths.diagnostic.show(id)}?imported=${result.posts}`, 303);
        } catch (error) {
          if (error instanceof ValidationError) return exercisePage(request, reply, id, errorView(error.issues), 422);
          if (error instanceof ConflictError)
            return exercisePage(request, reply, id, errorView([{ field: 'file', message: error.message }]), 409);
          throw error;
        }
      },
    );
  });

  // A big upload's progress: a "Check progress" link while the job runs (no JavaScript needed),
  // then what was imported, or every problem with the file (nothing was imported).
  app.get(
    paths.diagnostic.uploadJob(':id', ':jobId'),
    { config: { permission: 'diagnostic.edit' } },
    async (request: FastifyRequest<{ Params: { id: string; jobId: string } }>, reply) => {
      const { id, jobId } = request.params;
      const status = await diagnostics.uploadStatus(request.actor, id, jobId);
      const e = presentExercise(status.exercise);
      return reply.view('diagnostic/views/upload-job.njk', {
        pageTitle:
          status.status === 'failed'
            ? 'The file was not imported'
            : status.status === 'done'
              ? 'The data was imported'
              : 'Importing the data',
        section: 'diagnostic',
        // A refused file's problems as the page's error summary, each leading to the upload field
        // below them, where the corrected file goes (as on the exercise's page).
        errors:
          status.status === 'failed'
            ? errorView(
                (status.problems.length > 0 ? status.problems : [status.summary ?? '']).map((message) => ({
                  field: 'file',
                  message,
                })),
              )
            : undefined,
        problemCount: status.status === 'failed' ? Math.max(1, status.problems.length) : 0,
        maxSize: megabytes(limits.diagnosticUploadBytes),
        sheetItems,
        backLink: { href: e.links.show, text: e.name },
        exercise: e,
        upload: {
          ...status,
          running: status.status === 'queued' || status.status === 'running',
          statusText: UPLOAD_STATES[status.status],
          href: paths.diagnostic.uploadJob(id, jobId),
        },
      });
    },
  );

  app.get(
    paths.diagnostic.quality(':id'),
    { config: { permission: 'diagnostic.read' } },
    async (request: IdReq, reply) => {
      const q = await diagnostics.dataQuality(request.actor, request.params.id);
      const e = presentExercise(q.exercise);
      return reply.view('diagnostic/views/quality.njk', {
        pageTitle: 'Data quality',
        section: 'diagnostic',
        backLink: { href: e.links.show, text: e.name },
        exercise: e,
        counts: q.counts,
        items: q.items,
        ready: q.ready,
        links: e.links,
      });
    },
  );

  /** The baseline, or (when the data cannot give one) the data-quality page that says why. */
  async function baselineOr(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
  ): Promise<ExerciseBaseline | undefined> {
    try {
      return await diagnostics.getBaseline(request.actor, id);
    } catch (error) {
      if (error instanceof ValidationError) {
        await reply.redirect(paths.diagnostic.quality(id), 303);
        return undefined;
      }
      throw error;
    }
  }

  app.get(
    paths.diagnostic.baseline(':id'),
    { config: { permission: 'diagnostic.read' } },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { targetSpan?: string } }>, reply) => {
      const b = await baselineOr(request, reply, request.params.id);
      if (!b) return reply;
      const e = presentExercise(b.exercise);
      const target = targetSpanFrom(request.query.targetSpan);
      return reply.view('diagnostic/views/baseline.njk', {
        targetSpan: target.invalid ? request.query.targetSpan : String(target.span),
        targetSpanError: target.invalid
          ? { text: `Enter a target span as a whole number from ${TARGET_SPANS.min} to ${TARGET_SPANS.max}` }
          : undefined,
        spansOpportunityHref: `${paths.efficiency.newOpportunity(b.exercise.id)}?lever=spans-and-layers&targetSpan=${target.span}`,
        pageTitle: 'Baseline',
        section: 'diagnostic',
        backLink: { href: e.links.show, text: e.name },
        exercise: e,
        headline: headline(b),
        chart: functionChart(b),
        tables: {
          functions: functionsTable(b),
          summary: summaryTable(b),
          matrix: matrixTable(b),
          processes: processesTable(b),
          nonPay: nonPayTable(b),
          spans: spansTable(b, target.span),
        },
      });
    },
  );

  app.get(
    paths.diagnostic.baselineFunction(':id', ':code'),
    { config: { permission: 'diagnostic.read' } },
    async (request: CodeReq, reply) => {
      const b = await baselineOr(request, reply, request.params.id);
      if (!b) return reply;
      const f = b.exercise.taxonomy.functions.find((x) => x.code === request.params.code);
      if (!f)
        throw new NotFoundError(
          'DIAGNOSTIC_FUNCTION_NOT_FOUND',
          'There is no such function in this exercise’s taxonomy',
        );
      const e = presentExercise(b.exercise);
      const units = unitsTable(b, { function: f.code });
      const frag = b.functionFragmentation[f.code]!;
      const central = frag.centralUnitId ? b.orgUnits.find((u) => u.id === frag.centralUnitId)?.name : undefined;
      return reply.view('diagnostic/views/drill.njk', {
        pageTitle: f.name,
        section: 'diagnostic',
        backLink: { href: paths.diagnostic.baseline(b.exercise.id), text: 'Baseline' },
        exercise: e,
        facts: `${formatFte(b.byFunction[f.code]!.fte)} FTE, total cost ${formatMoney(b.totalCost.byFunction[f.code]!, { pence: 'never' })} (pay ${formatMoney(b.byFunction[f.code]!.payCost, { pence: 'never' })}, non-pay ${formatMoney(b.nonPay.byFunction[f.code]!, { pence: 'never' })}). ${central ? `Central function: ${central}.` : 'No unit is marked as its central function.'} ${frag.outsideShare === undefined ? '' : `${(frag.outsideShare * 100).toFixed(1)}% of its FTE works outside the centre, in ${frag.unitIds.length} ${frag.unitIds.length === 1 ? 'unit' : 'units'} in all.`}`,
        sections: [
          { heading: 'Processes', chart: processChart(b, f.code), table: processesTable(b, f.code) },
          { heading: 'Org units doing this work', chart: unitChart(b, units, `chart-units-${f.code}`), table: units },
        ],
      });
    },
  );

  app.get(
    paths.diagnostic.baselineProcess(':id', ':code'),
    { config: { permission: 'diagnostic.read' } },
    async (request: CodeReq, reply) => {
      const b = await baselineOr(request, reply, request.params.id);
      if (!b) return reply;
      const p = b.exercise.taxonomy.processes.find((x) => x.code === request.params.code);
      if (!p)
        throw new NotFoundError('DIAGNOSTIC_PROCESS_NOT_FOUND', 'There is no such process in this exercise’s taxonomy');
      const f = b.exercise.taxonomy.functions.find((x) => x.code === p.functionCode)!;
      const e = presentExercise(b.exercise);
      const units = unitsTable(b, { process: p.code });
      const frag = b.processFragmentation[p.code]!;
      const uc = b.unitCosts[p.code];
      return reply.view('diagnostic/views/drill.njk', {
        pageTitle: `${p.code} ${p.name}`,
        section: 'diagnostic',
        backLink: { href: paths.diagnostic.baselineFunction(b.exercise.id, f.code), text: f.name },
        exercise: e,
        facts: `${formatFte(b.byProcess[p.code]!.fte)} FTE, total cost ${formatMoney(b.totalCost.byProcess[p.code]!, { pence: 'never' })}. ${frag.outsideShare === undefined ? 'Nobody does this process in-house.' : `${(frag.outsideShare * 100).toFixed(1)}% of its FTE works outside the central function.`} ${uc ? `Unit cost ${formatMoney(uc.unitCost)} per ${uc.driver || 'unit'} (${uc.volume.toLocaleString('en-GB')} a year).` : 'No volume was collected, so there is no unit cost.'}`,
        sections: [
          {
            heading: 'Org units doing this process',
            chart: unitChart(b, units, `chart-units-${p.code}`),
            table: units,
          },
        ],
      });
    },
  );

  app.get(
    paths.diagnostic.export(':id', ':table'),
    { config: { permission: 'diagnostic.read', rendersDocument: true } },
    async (request: FastifyRequest<{ Params: { id: string; table: string } }>, reply) => {
      const b = await diagnostics.getBaseline(request.actor, request.params.id);
      const t = tableByKey(b, request.params.table);
      if (!t) throw new NotFoundError('DIAGNOSTIC_TABLE_NOT_FOUND', 'There is no such table');
      return sendXlsx(
        reply,
        `baseline-${t.id}.xlsx`,
        await writeTableXlsx(
          t.caption,
          t.head.map((h) => h.text),
          xlsxRows(t),
        ),
      );
    },
  );

  // --- posts, one at a time ----------------------------------------------------------------
  app.get(
    paths.diagnostic.posts(':id'),
    { config: { permission: 'diagnostic.read' } },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { page?: string } }>, reply) => {
      const { id } = request.params;
      const e = presentExercise(await diagnostics.getExercise(request.actor, id));
      const list = await diagnostics.listPosts(request.actor, id, Number(request.query.page) || 1);
      const href = (n: number) => `${paths.diagnostic.posts(id)}?page=${n}`;
      return reply.view('diagnostic/views/posts.njk', {
        pageTitle: 'Posts',
        section: 'diagnostic',
        backLink: { href: e.links.show, text: e.name },
        exercise: e,
        total: list.total,
        page: list.page,
        pages: list.pages,
        posts: list.posts.map((p) => ({
          code: p.code,
          href: paths.diagnostic.post(id, p.id!),
          title: p.title,
          unit: p.unitCode,
          fte: formatFte(p.fte as never),
          payCost: formatMoney(pence(p.payCost), { pence: 'never' }),
          allocations: p.allocations
            .map((a) => `${a.processCode} ${formatScaled(a.pct, 2, 2, false).replace(/\.?0+$/, '')}%`)
            .join(', '),
        })),
        pagination:
          list.pages > 1
            ? {
                ...(list.page > 1 ? { previous: { href: href(list.page - 1) } } : {}),
                ...(list.page < list.pages ? { next: { href: href(list.page + 1) } } : {}),
                items: Array.from({ length: list.pages }, (_, i) => ({
                  number: i + 1,
                  href: href(i + 1),
                  current: i + 1 === list.page,
                })).filter((x) => Math.abs(x.number - list.page) <= 2 || x.number === 1 || x.number === list.pages),
              }
            : undefined,
      });
    },
  );

  type PostReq = FastifyRequest<{ Params: { id: string; postId: string } }>;
  async function postForm(request: PostReq, values: Record<string, any>, errors?: ErrorView, blank = 2) {
    const { exercise, post } = await diagnostics.getPost(request.actor, request.params.id, request.params.postId);
    const e = presentExercise(exercise);
    const rows: { process: string; pct: string }[] = (values.allocations ?? []).map((a: any) => ({
      process: String(a?.process ?? ''),
      pct: String(a?.pct ?? ''),
    }));
    for (let i = 0; i < blank; i++) rows.push({ process: '', pct: '' });
    return {
      template: 'diagnostic/views/post-form.njk',
      pageTitle: `Post ${post.code}`,
      section: 'diagnostic',
      backLink: { href: e.links.posts, text: 'Posts' },
      exercise: e,
      action: paths.diagnostic.post(exercise.id, post.id!),
      values: { ...values, allocations: rows },
      errors,
      total: diagnostics.allocationTotal(rows),
    };
  }
  app.get(
    paths.diagnostic.post(':id', ':postId'),
    { config: { permission: 'diagnostic.read' } },
    async (request: PostReq, reply) => {
      const { post } = await diagnostics.getPost(request.actor, request.params.id, request.params.postId);
      const values = {
        version: post.version,
        unitCode: post.unitCode,
        title: post.title,
        grade: post.grade,
        fte: formatFte(post.fte as never, 4).replace(/\.?0+$/, ''),
        payCost: formatMoney(pence(post.payCost)),
        managerCode: post.managerCode ?? '',
        vacant: post.vacant,
        contractType: post.contractType,
        allocations: post.allocations.map((a) => ({
          process: a.processCode,
          pct: formatScaled(a.pct, 2, 2, false).replace(/\.?0+$/, ''),
        })),
      };
      const { template, ...ctx } = await postForm(request, values);
      return reply.view(template, ctx);
    },
  );
  app.post(
    paths.diagnostic.post(':id', ':postId'),
    { config: { permission: 'diagnostic.edit' } },
    async (request: PostReq, reply) => {
      const body = formBody(request);
      const intent = String(body.intent ?? 'save');
      const rows = Array.isArray(body.allocations) ? body.allocations : [];
      if (intent !== 'save') {
        // Work out the total (or add a row) without saving anything; a step of an edit all the same.
        diagnostics.authorizeEdit(request.actor);
        const { rows: kept, blank } = applyRowIntent(
          rows.filter((r: any) => r && (String(r.process ?? '').trim() || String(r.pct ?? '').trim())),
          intent,
        );
        const { template, ...ctx } = await postForm(
          request,
          { ...body, vacant: body.vacant === 'yes', allocations: kept },
          undefined,
          blank + 1,
        );
        return reply.view(template, ctx);
      }
      const { id, postId } = request.params;
      return submitForm(
        reply,
        () => diagnostics.updatePost(request.actor, id, postId, body),
        () => `${paths.diagnostic.posts(id)}`,
        async (errors) => postForm(request, { ...body, vacant: body.vacant === 'yes', allocations: rows }, errors, 0),
      );
    },
  );
}
