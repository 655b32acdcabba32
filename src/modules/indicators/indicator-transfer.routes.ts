// Pages for importing and exporting indicator values as CSV or XLSX (issue 4). Multipart upload
// is registered in this plugin's scope only, limited to one file of AMBER_MAX_UPLOAD_MB.

import { megabytes } from '../../domain/limits.ts';
import { authorize } from '../../domain/permissions.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { readUpload } from '../../platform/http/upload.ts';
import type { Services } from '../../composition.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../../config.ts';
import { paths } from '../../paths.ts';
import { ValidationError } from '../../domain/errors.ts';
import { errorView, type ErrorView } from '../../platform/views/views.ts';
import { financialYearLabel, financialYearOf } from '../../domain/period.ts';
import type { Download } from './indicator-transfer.service.ts';

/** The path of a link without its query string: the route pattern. */
const routeOf = (link: string) => link.split('?')[0]!;

type YearQuery = FastifyRequest<{ Querystring: { year?: string } }>;

/** The problems to show for a refused upload; anything else is not the person's to fix and is rethrown. */
function uploadProblems(error: unknown): ErrorView {
  if (error instanceof ValidationError) return errorView(error.issues);
  throw error;
}

export function registerIndicatorTransferRoutes(
  app: FastifyInstance,
  services: Services,
  limits: Pick<InputLimits, 'uploadBytes'> = DEFAULT_INPUT_LIMITS,
): void {
  const { indicatorTransfer } = services;
  const thisYear = () =>
    financialYearOf(new Date().toISOString().slice(0, 10) as Parameters<typeof financialYearOf>[0]);

  const page = (
    reply: FastifyReply,
    values: { year?: string },
    errors?: ErrorView,
    status = 200,
    imported?: number,
  ) => {
    const year = /^\d{4}$/.test(values.year ?? '') ? Number(values.year) : thisYear();
    return reply.status(status).view('indicators/views/import.njk', {
      pageTitle: 'Import indicator values',
      section: 'indicators',
      maxSize: megabytes(limits.uploadBytes),
      backLink: { href: paths.indicators.list, text: 'All indicators' },
      values: { year: values.year ?? String(thisYear()) },
      errors,
      yearLabel: financialYearLabel(year),
      problemCount: errors?.list.length ?? 0,
      flash: imported
        ? `${imported} ${imported === 1 ? 'value was' : 'values were'} imported for ${financialYearLabel(year)}.`
        : undefined,
      templates: { csv: paths.indicators.templateCsv, xlsx: paths.indicators.templateXlsx },
      downloads: { csv: paths.indicators.exportCsv(year), xlsx: paths.indicators.exportXlsx(year) },
    });
  };
  const send = (reply: FastifyReply, d: Download) =>
    reply
      .header('content-type', d.contentType)
      .header('content-disposition', `attachment; filename="${d.filename}"`)
      .send(d.body);

  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: limits.uploadBytes, files: 1, fields: 10 } });

    scope.get(
      paths.indicators.import,
      { config: { permission: 'indicator.edit' } },
      async (request: FastifyRequest<{ Querystring: { imported?: string; year?: string } }>, reply) => {
        const imported = Number(request.query.imported);
        return page(
          reply,
          { year: request.query.year },
          undefined,
          200,
          Number.isInteger(imported) && imported > 0 ? imported : undefined,
        );
      },
    );

    scope.post(paths.indicators.import, { config: { permission: 'indicator.edit' } }, async (request, reply) => {
      // Refuse before reading a file the person may not import.
      authorize(request.actor, 'indicator.edit');
      let fields: Record<string, string> = {};
      try {
        const upload = await readUpload(request, { maxBytes: limits.uploadBytes });
        fields = upload.fields;
        const result = await indicatorTransfer.importValues(request.actor, { year: fields.year, file: upload.file });
        // A big file was checked and is being written in the background: show its progress.
        if (result.jobId) return reply.redirect(paths.jobs.show(result.jobId), 303);
        return reply.redirect(`${paths.indicators.import}?imported=${result.values}&year=${result.year}`, 303);
      } catch (error) {
        return page(reply, fields, uploadProblems(error), 422);
      }
    });

    scope.get(
      routeOf(paths.indicators.exportCsv('')),
      { config: { permission: 'indicator.read' } },
      async (request: YearQuery, reply) =>
        send(
          reply,
          await indicatorTransfer.exportValues(
            request.actor,
            { year: request.query.year ?? String(thisYear()) },
            'csv',
          ),
        ),
    );
    scope.get(
      routeOf(paths.indicators.exportXlsx('')),
      { config: { permission: 'indicator.read' } },
      async (request: YearQuery, reply) =>
        send(
          reply,
          await indicatorTransfer.exportValues(
            request.actor,
            { year: request.query.year ?? String(thisYear()) },
            'xlsx',
          ),
        ),
    );
    scope.get(paths.indicators.templateCsv, { config: { permission: 'indicator.edit' } }, async (request, reply) =>
      send(reply, await indicatorTransfer.template(request.actor, 'csv')),
    );
    scope.get(paths.indicators.templateXlsx, { config: { permission: 'indicator.edit' } }, async (request, reply) =>
      send(reply, await indicatorTransfer.template(request.actor, 'xlsx')),
    );

    // Definitions (issue 4): the same upload, all or nothing, and the same layout both ways.
    const definitionsPage = (
      reply: FastifyReply,
      errors?: ErrorView,
      status = 200,
      done?: { created: number; updated: number },
    ) =>
      reply.status(status).view('indicators/views/definitions-import.njk', {
        pageTitle: 'Import indicator definitions',
        section: 'indicators',
        maxSize: megabytes(limits.uploadBytes),
        backLink: { href: paths.indicators.list, text: 'All indicators' },
        errors,
        problemCount: errors?.list.length ?? 0,
        flash: done
          ? `${done.created} ${done.created === 1 ? 'indicator was' : 'indicators were'} added and ${done.updated} updated.`
          : undefined,
      });
    scope.get(
      paths.indicators.definitionsImport,
      { config: { permission: 'indicator.edit' } },
      async (request: FastifyRequest<{ Querystring: { created?: string; updated?: string } }>, reply) => {
        const created = Number(request.query.created);
        const updated = Number(request.query.updated);
        return definitionsPage(
          reply,
          undefined,
          200,
          Number.isInteger(created) && Number.isInteger(updated) && created + updated > 0
            ? { created, updated }
            : undefined,
        );
      },
    );
    scope.post(
      paths.indicators.definitionsImport,
      { config: { permission: 'indicator.edit' } },
      async (request, reply) => {
        authorize(request.actor, 'indicator.edit');
        try {
          const { file } = await readUpload(request, { maxBytes: limits.uploadBytes });
          const result = await indicatorTransfer.importDefinitions(request.actor, { file });
          return reply.redirect(
            `${paths.indicators.definitionsImport}?created=${result.created}&updated=${result.updated}`,
            303,
          );
        } catch (error) {
          return definitionsPage(reply, uploadProblems(error), 422);
        }
      },
    );
    scope.get(paths.indicators.definitionsCsv, { config: { permission: 'indicator.read' } }, async (request, reply) =>
      send(reply, await indicatorTransfer.exportDefinitions(request.actor, 'csv')),
    );
    scope.get(paths.indicators.definitionsXlsx, { config: { permission: 'indicator.read' } }, async (request, reply) =>
      send(reply, await indicatorTransfer.exportDefinitions(request.actor, 'xlsx')),
    );
    scope.get(
      paths.indicators.definitionsTemplateXlsx,
      { config: { permission: 'indicator.edit' } },
      async (_request, reply) => send(reply, await indicatorTransfer.definitionsTemplate('xlsx')),
    );
  });
}
