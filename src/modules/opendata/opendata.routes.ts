// Open data downloads (CSV and JSON) and the page that lists them.

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { writeCsv } from '../../platform/csv.ts';

function send(
  reply: FastifyReply,
  name: string,
  format: 'csv' | 'json',
  records: Record<string, string | null>[],
  columns: string[],
) {
  reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
  if (format === 'json')
    return reply
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ generatedAt: new Date().toISOString(), records }, null, 2));
  return reply.type('text/csv; charset=utf-8').send(
    writeCsv(
      columns,
      records.map((r) => columns.map((c) => r[c] ?? null)),
    ),
  );
}

export function registerOpenDataRoutes(app: FastifyInstance, services: Services): void {
  const { opendata } = services;
  app.get(paths.openData.index, { config: { permission: 'opendata.read' } }, async (_request, reply) =>
    reply.view('opendata/views/open-data.njk', { pageTitle: 'Open data', section: 'open-data' }),
  );
  for (const format of ['csv', 'json'] as const) {
    app.get(paths.openData.priorities(format), { config: { permission: 'opendata.read' } }, async (request, reply) => {
      const records = await opendata.priorityStatuses(request.actor);
      return send(reply, 'priority-statuses', format, records as unknown as Record<string, string | null>[], [
        'priority',
        'title',
        'plan',
        'theme',
        'accountableOfficer',
        'period',
        'periodLabel',
        'status',
        'statusLabel',
      ]);
    });
    app.get(paths.openData.indicators(format), { config: { permission: 'opendata.read' } }, async (request, reply) => {
      const records = await opendata.indicatorValues(request.actor);
      return send(reply, 'indicator-values', format, records as unknown as Record<string, string | null>[], [
        'indicator',
        'title',
        'unit',
        'goodIs',
        'period',
        'periodLabel',
        'actual',
        'target',
        'status',
        'statusLabel',
        'directionSincePrevious',
      ]);
    });
  }
}
