// The JSON API of the efficiency diagnostic (issue 12): exercises, their data quality, posts and
// the baseline computed from them. The same schemas and service calls as the pages, so invalid
// input is refused naming each field (422) and changes nothing; another organisation's exercise
// is not found (404). Money in every answer is a whole number of pence (see openapi.ts); FTE is
// in ten-thousandths and percentages of time in basis points, as the domain holds them.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { exerciseInput, exerciseVersion, postInput } from './diagnostic.schemas.ts';

type ExerciseReq = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>;
type PostReq = FastifyRequest<{ Params: { id: string; postId: string } }>;

const TAG = 'Efficiency diagnostic';

export function registerDiagnosticApi(app: FastifyInstance, services: Services): void {
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
      body: exerciseInput,
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
      body: exerciseInput.extend(exerciseVersion.shape),
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
      summary: 'The exercise’s posts, 100 a page (query: page), with their allocations (payCost in pence)',
      tag: TAG,
      success: { status: 200, description: 'A page of posts' },
    },
    async (request: ExerciseReq) =>
      diagnostics.listPosts(request.actor, request.params.id, Number(request.query.page ?? 1) || 1),
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
}
