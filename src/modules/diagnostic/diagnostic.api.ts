// The JSON API of the efficiency diagnostic (issue 12): exercises, their data quality, posts and
// the baseline computed from them. The same schemas and service calls as the pages, so invalid
// input is refused naming each field (422) and changes nothing; another organisation's exercise
// is not found (404). Money in every answer is a whole number of pence (see openapi.ts); FTE is
// in ten-thousandths and percentages of time in basis points, as the domain holds them.
//
// What the pages offer besides is here too: a taxonomy version's functions and processes and its
// extension, deleting an exercise (the page's rules: refused while its programme stands on it),
// the workbook upload — the page's reader and limits (ADR 0008), always run as a job whose
// progress, and every problem by sheet, row and column, the client polls — and each download.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { readUpload } from '../../platform/http/upload.ts';
import { writeCsv } from '../../platform/csv.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { megabytes } from '../../domain/limits.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../../config.ts';
import {
  exerciseBody,
  exerciseVersion,
  postInput,
  taxonomyExtensionInput,
  postsPageQuery,
  baselineTableQuery,
  type PostsPageQuery,
  type BaselineTableQuery,
} from './diagnostic.schemas.ts';
import { CSV_SHEETS, writeTableXlsx, writeWorkbook } from './diagnostic-transfer.ts';
import { tableByKey, xlsxRows } from './diagnostic.presenter.ts';

type ExerciseReq = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>;
type PostReq = FastifyRequest<{ Params: { id: string; postId: string } }>;
type JobReq = FastifyRequest<{ Params: { id: string; jobId: string } }>;
// The query of these two arrives checked by the operation's declaration (`query`).
type PostsReq = FastifyRequest<{ Params: { id: string }; Querystring: PostsPageQuery }>;
type TableReq = FastifyRequest<{ Params: { id: string; table: string }; Querystring: BaselineTableQuery }>;

const TAG = 'Efficiency diagnostic';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A file as the page sends it: its type, and a name safe in the header. */
const sendFile = (reply: FastifyReply, type: string, filename: string, body: Buffer | string) =>
  reply
    .type(type)
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '-')}"`)
    .send(body);

export function registerDiagnosticApi(
  app: FastifyInstance,
  services: Services,
  limits: Pick<InputLimits, 'diagnosticUploadBytes'> = DEFAULT_INPUT_LIMITS,
): void {
  const { diagnostics } = services;
  const R = routes.api;
  const exerciseOf = async (request: FastifyRequest, id: string) => {
    const [exercise, counts] = await Promise.all([
      diagnostics.getExercise(request.actor, id),
      diagnostics.countData(request.actor, id),
    ]);
    return { ...exercise, counts };
  };

  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.exercises,
      permission: 'diagnostic.read',
      summary: 'The diagnostic exercises, with how much data each holds (runningCosts in pence)',
      tag: TAG,
      success: { status: 200, description: 'Exercises' },
    },
    async (request) => diagnostics.listExercises(request.actor),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.taxonomies,
      permission: 'diagnostic.read',
      summary: 'The process taxonomy versions an exercise may use (its taxonomyVersionId)',
      tag: TAG,
      success: { status: 200, description: 'Taxonomy versions' },
    },
    async (request) => diagnostics.listTaxonomyVersions(request.actor),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.exercises,
      permission: 'diagnostic.edit',
      summary:
        'Start an exercise: a name, the financial year it starts in, running costs as typed (like "£412m"), headcount, taxonomy and functions in scope',
      tag: TAG,
      body: exerciseBody,
      success: { status: 201, description: 'The exercise (runningCosts in pence)' },
    },
    async (request: FastifyRequest, reply) => {
      const id = await diagnostics.createExercise(request.actor, request.body);
      return reply.status(201).send(await exerciseOf(request, id));
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exercise,
      permission: 'diagnostic.read',
      summary: 'An exercise with its taxonomy and data counts (runningCosts in pence)',
      tag: TAG,
      success: { status: 200, description: 'The exercise' },
    },
    async (request: ExerciseReq) => exerciseOf(request, request.params.id),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: R.exercise,
      permission: 'diagnostic.edit',
      summary: 'Change an exercise’s settings (send `version`; the taxonomy cannot change once data is collected)',
      tag: TAG,
      body: exerciseBody.extend(exerciseVersion.shape),
      success: { status: 200, description: 'The exercise' },
    },
    async (request: ExerciseReq) => {
      await diagnostics.updateExercise(request.actor, request.params.id, request.body);
      return exerciseOf(request, request.params.id);
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exerciseBaseline,
      permission: 'diagnostic.read',
      summary:
        'The baseline computed from the exercise’s data: FTE (ten-thousandths) and pay cost (pence) by process, function, unit and directorate, non-pay, total cost, indicators, fragmentation, spans and layers; 422 naming the data problems when it cannot be computed',
      tag: TAG,
      success: { status: 200, description: 'The baseline' },
    },
    async (request: ExerciseReq) => {
      const { exercise, ...baseline } = await diagnostics.getBaseline(request.actor, request.params.id);
      return { exercise: { id: exercise.id, name: exercise.name, financialYear: exercise.financialYear }, ...baseline };
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exerciseQuality,
      permission: 'diagnostic.read',
      summary: 'What is missing or suspicious before the baseline is run: problems stop it, warnings do not',
      tag: TAG,
      success: { status: 200, description: 'Counts, items and whether the baseline can run' },
    },
    async (request: ExerciseReq) => {
      const { exercise, ...quality } = await diagnostics.dataQuality(request.actor, request.params.id);
      return { exercise: { id: exercise.id, name: exercise.name }, ...quality };
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exercisePosts,
      permission: 'diagnostic.read',
      summary: 'The exercise’s posts, 100 a page, with their allocations (payCost in pence)',
      tag: TAG,
      query: postsPageQuery,
      success: { status: 200, description: 'A page of posts' },
    },
    async (request: PostsReq) => diagnostics.listPosts(request.actor, request.params.id, request.query.page ?? 1),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exercisePost,
      permission: 'diagnostic.read',
      summary: 'A post and its allocations (payCost in pence, FTE in ten-thousandths, pct in basis points)',
      tag: TAG,
      success: { status: 200, description: 'The post' },
    },
    async (request: PostReq) =>
      (await diagnostics.getPost(request.actor, request.params.id, request.params.postId)).post,
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: R.exercisePost,
      permission: 'diagnostic.edit',
      summary:
        'Change a post and its allocations (send `version`; payCost as typed, like "£38,000"; allocations as rows of process and percentage); the whole exercise must still be valid',
      tag: TAG,
      body: postInput,
      success: { status: 200, description: 'The post' },
    },
    async (request: PostReq) => {
      const { id, postId } = request.params;
      await diagnostics.updatePost(request.actor, id, postId, request.body);
      return (await diagnostics.getPost(request.actor, id, postId)).post;
    },
  );

  // --- taxonomies ------------------------------------------------------------------------------
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.taxonomy,
      permission: 'diagnostic.read',
      summary:
        'A taxonomy version: its functions, and its processes with their function, type (T, P, S) and volume driver',
      tag: TAG,
      success: { status: 200, description: 'The taxonomy version' },
    },
    async (request: FastifyRequest<{ Params: { taxonomyId: string } }>) => {
      const { taxonomyId } = request.params;
      const version = (await diagnostics.listTaxonomyVersions(request.actor)).find((v) => v.id === taxonomyId);
      const taxonomy = await diagnostics.getTaxonomy(request.actor, taxonomyId);
      return { ...version, functions: taxonomy.functions, processes: taxonomy.processes };
    },
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.taxonomies,
      permission: 'diagnostic.edit',
      summary:
        'Extend a taxonomy version as a new version of the organisation’s own (as the page does): the base’s functions and processes plus those given; the base never changes',
      tag: TAG,
      body: taxonomyExtensionInput,
      success: { status: 201, description: 'The new taxonomy version, with its functions and processes' },
    },
    async (request: FastifyRequest, reply) => {
      const id = await diagnostics.extendTaxonomyFromApi(request.actor, request.body);
      const version = (await diagnostics.listTaxonomyVersions(request.actor)).find((v) => v.id === id);
      const taxonomy = await diagnostics.getTaxonomy(request.actor, id);
      return reply.status(201).send({ ...version, functions: taxonomy.functions, processes: taxonomy.processes });
    },
  );

  // --- deleting an exercise ----------------------------------------------------------------------
  apiOperation(
    app,
    {
      method: 'DELETE',
      url: R.exercise,
      permission: 'diagnostic.edit',
      summary:
        'Delete an exercise with its data and the programme built on it (send `version`); refused (422) while a project, a saving or a gain-share evaluation rests on it',
      tag: TAG,
      body: exerciseVersion,
      success: { status: 200, description: 'The exercise deleted and how many of each record went with it' },
    },
    async (request: ExerciseReq) => {
      const { exercise, counts } = await diagnostics.deleteExercise(request.actor, request.params.id, request.body);
      return {
        exercise: { id: exercise.id, name: exercise.name, financialYear: exercise.financialYear },
        deleted: counts,
      };
    },
  );

  // --- the workbook: upload as a job, and the downloads -----------------------------------------
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: limits.diagnosticUploadBytes, files: 1, fields: 10 } });
    apiOperation(
      scope,
      {
        method: 'POST',
        url: R.exerciseUploads,
        permission: 'diagnostic.edit',
        summary: `Upload the completed workbook (.xlsx, all five sheets) or one sheet as CSV (say which in \`sheet\`), at most ${megabytes(limits.diagnosticUploadBytes)}: checked whole and written in one transaction by a background job, all or nothing. Answers 202 with the job to poll (GET its \`href\`); a file that is missing, too big or a CSV without its sheet is refused at once (422)`,
        tag: TAG,
        multipart: {
          file: 'The workbook (.xlsx) or one sheet as CSV',
          fields: {
            sheet: `For a CSV file, the sheet it holds: ${Object.keys(CSV_SHEETS).join(', ')}`,
            version:
              'Optional: the exercise’s version the file was made from; the upload is refused (409) if the exercise has changed since',
          },
        },
        success: { status: 202, description: 'The upload’s job: its id, status and where to poll it' },
      },
      async (request: ExerciseReq, reply) => {
        const { id } = request.params;
        // Not multipart: no file; the service checks permission and the exercise before saying so.
        const { file, fields } = request.isMultipart()
          ? await readUpload(request, { maxBytes: limits.diagnosticUploadBytes })
          : { file: undefined, fields: {} as Record<string, string> };
        const result = await diagnostics.upload(
          request.actor,
          id,
          { file, sheet: fields.sheet, version: fields.version },
          { background: true },
        );
        if (!('jobId' in result)) return { status: 'done', imported: result };
        return reply.status(202).send({
          jobId: result.jobId,
          status: 'queued',
          filename: file?.filename ?? '',
          href: paths.api.exerciseUpload(id, result.jobId),
        });
      },
    );
  });
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exerciseUpload,
      permission: 'diagnostic.edit',
      summary:
        'An upload’s job: status (queued, running, done, failed), progress (%) and message; when failed, the summary and every problem with the file, each naming its sheet, row and column (nothing was imported)',
      tag: TAG,
      success: { status: 200, description: 'The upload’s progress' },
    },
    async (request: JobReq) => {
      const { exercise, ...status } = await diagnostics.uploadStatus(
        request.actor,
        request.params.id,
        request.params.jobId,
      );
      return { jobId: request.params.jobId, exercise: { id: exercise.id, name: exercise.name }, ...status };
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exerciseTemplate,
      permission: 'diagnostic.edit',
      summary:
        'The empty workbook to fill in (.xlsx), its lists pre-filled from the exercise’s taxonomy, as the page offers it',
      tag: TAG,
      produces: [XLSX],
      success: { status: 200, description: 'The template workbook' },
    },
    async (request: ExerciseReq, reply) => {
      const w = await diagnostics.workbookData(request.actor, request.params.id, { empty: true });
      return sendFile(reply, XLSX, w.filename, await writeWorkbook(w.taxonomy, w.data));
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.exerciseData,
      permission: 'diagnostic.read',
      summary: 'The data collected so far as the workbook (.xlsx), to correct and upload again',
      tag: TAG,
      produces: [XLSX],
      success: { status: 200, description: 'The exercise’s workbook' },
    },
    async (request: ExerciseReq, reply) => {
      const w = await diagnostics.workbookData(request.actor, request.params.id);
      return sendFile(reply, XLSX, w.filename, await writeWorkbook(w.taxonomy, w.data));
    },
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: R.baselineTable,
      permission: 'diagnostic.read',
      summary:
        'One table of the baseline as the page downloads it, .xlsx or CSV: functions, summary, matrix, processes, non-pay, spans, function-CODE (its processes), function-units-CODE or process-CODE (the org units doing it)',
      tag: TAG,
      produces: [XLSX, 'text/csv'],
      query: baselineTableQuery,
      success: { status: 200, description: 'The table' },
    },
    async (request: TableReq, reply) => {
      const b = await diagnostics.getBaseline(request.actor, request.params.id);
      const t = tableByKey(b, request.params.table);
      if (!t) throw new NotFoundError('DIAGNOSTIC_TABLE_NOT_FOUND', 'There is no such table');
      const header = t.head.map((h) => h.text);
      if (request.query.format === 'csv')
        return sendFile(
          reply,
          'text/csv; charset=utf-8',
          `baseline-${t.id}.csv`,
          writeCsv(
            header,
            xlsxRows(t).map((row) => row.map((cell) => (typeof cell === 'object' ? cell.number : cell))),
          ),
        );
      return sendFile(reply, XLSX, `baseline-${t.id}.xlsx`, await writeTableXlsx(t.caption, header, xlsxRows(t)));
    },
  );
}
