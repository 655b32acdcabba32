// The "my work" page: one person's reports to write, reports to sign off and milestones.

import type { FastifyInstance } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { presentMyWork } from './my-work.presenter.ts';

export function registerMyWorkRoutes(app: FastifyInstance, services: Services): void {
  app.get(paths.myWork, { config: { permission: 'account.own' } }, async (request, reply) => {
    const work = await services.myWork.forActor(request.actor);
    return reply.view('my-work/views/my-work.njk', {
      pageTitle: 'My work',
      section: 'my-work',
      ...presentMyWork(work),
    });
  });
}
