// A background job's progress page (with a "Check progress" link while the job runs, rather than a
// timed refresh: see its view) and the files jobs stored, served from PostgreSQL so any instance can.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { routes } from '../../paths.ts';
import { presentJob } from './job.presenter.ts';

type IdReq = FastifyRequest<{ Params: { id: string } }>;

export function registerJobRoutes(app: FastifyInstance, services: Services): void {
  const { jobs } = services;

  app.get(routes.job, { config: { permission: 'account.own' } }, async (request: IdReq, reply) => {
    const { job, files } = await jobs.get(request.actor, request.params.id);
    const view = presentJob(job, files);
    return reply.view('jobs/views/job.njk', {
      pageTitle: view.title,
      section: view.section,
      backLink: view.back,
      job: view,
    });
  });

  app.get(routes.file, { config: { permission: 'account.own' } }, async (request: IdReq, reply) => {
    const file = await jobs.file(request.actor, request.params.id);
    return reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename="${file.name.replace(/["\\\r\n]/g, '')}"`)
      .send(file.bytes);
  });
}
