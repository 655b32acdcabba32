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
import { MissingIndicatorsError, UnknownColumnsError, type Download } from './indicator-transfer.service.ts';
import {
  GOOD_IS,
  MAPPABLE_COLUMNS,
  unitLabel,
  type HeaderMapping,
  type ProposedIndicator,
} from './indicator-transfer.ts';

/** The path of a link without its query string: the route pattern. */
const routeOf = (link: string) => link.split('?')[0]!;

type YearQuery = FastifyRequest<{ Querystring: { year?: string } }>;

/** The choices of a column-name select, with `selected` chosen; `blank` is the empty choice's text. */
const columnItems = (selected: string, blank: string) => [
  { value: '', text: blank, selected: selected === '' },
  ...MAPPABLE_COLUMNS.map((c: { key: HeaderMapping; name: string }) => ({
    value: c.key,
    text: c.key === 'ignore' ? 'Nothing: do not import this column' : c.name,
    selected: c.key === selected,
  })),
];

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
    notices: readonly string[] = [],
    unknownHeaders: readonly string[] = [],
    named?: number,
    proposed: readonly ProposedIndicator[] = [],
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
      notices,
      unknownHeaders: unknownHeaders.map((header, i) => ({
        header,
        id: `mappings-${i}-column`,
        items: columnItems('', 'Choose a column'),
      })),
      columnsPage: paths.indicators.importColumns,
      proposed: proposed.map((p) => ({
        row: p.row,
        code: p.code,
        title: p.title,
        goodIs: GOOD_IS[p.polarity],
        frequency: p.frequency,
        unit: unitLabel(p.unit),
      })),
      create: proposed.map((p) => p.code).join('\n'),
      flash: imported
        ? `${imported} ${imported === 1 ? 'value was' : 'values were'} imported for ${financialYearLabel(year)}.`
        : named
          ? `The names of ${named} ${named === 1 ? 'column are' : 'columns are'} saved: upload the file again.`
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
      async (request: FastifyRequest<{ Querystring: { imported?: string; year?: string; named?: string } }>, reply) => {
        const imported = Number(request.query.imported);
        const named = Number(request.query.named);
        return page(
          reply,
          { year: request.query.year },
          undefined,
          200,
          Number.isInteger(imported) && imported > 0 ? imported : undefined,
          [],
          [],
          Number.isInteger(named) && named > 0 ? named : undefined,
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
        const result = await indicatorTransfer.importValues(request.actor, {
          year: fields.year,
          file: upload.file,
          create: fields.create,
        });
        // A big file was checked and is being written in the background: show its progress.
        if (result.jobId) return reply.redirect(paths.jobs.show(result.jobId), 303);
        // What the file held that was not imported as it stood is shown once, here, not dropped.
        if (result.notices.length > 0)
          return page(reply, { year: String(result.year) }, undefined, 200, result.values, result.notices);
        return reply.redirect(`${paths.indicators.import}?imported=${result.values}&year=${result.year}`, 303);
      } catch (error) {
        // Headers Amber does not know: offer to name them, once, for every later file.
        const unknown = error instanceof UnknownColumnsError ? error.headers : [];
        // Indicators not in Amber: show what the file would create, to confirm with the file again.
        const proposed = error instanceof MissingIndicatorsError ? error.proposed : [];
        return page(reply, fields, uploadProblems(error), 422, undefined, [], unknown, undefined, proposed);
      }
    });

    // The organisation's names for its files' columns (issue 13): named once, changeable.
    const columnsPage = (
      reply: FastifyReply,
      mappings: Awaited<ReturnType<typeof indicatorTransfer.headerMappings>>,
      values: { header?: string; column?: string }[] | undefined,
      errors?: ErrorView,
      status = 200,
      done?: { saved: number; forgotten: number },
    ) => {
      const rows = [
        ...mappings.map((m) => ({ header: m.shown, column: m.column, saved: m })),
        ...[0, 1, 2].map(() => ({ header: '', column: '', saved: undefined })),
      ].map((r, i) => {
        const v = values?.[i];
        const column = v ? (v.column ?? '') : r.column;
        return {
          index: i,
          header: v ? (v.header ?? '') : r.header,
          saved: r.saved,
          headerError: errors?.byField[`mappings.${i}.header`],
          columnError: errors?.byField[`mappings.${i}.column`],
          items: columnItems(column, r.saved ? 'Forget this name' : 'Choose a column'),
        };
      });
      return reply.status(status).view('indicators/views/import-columns.njk', {
        pageTitle: 'Names of your files’ columns',
        section: 'indicators',
        backLink: { href: paths.indicators.import, text: 'Import indicator values' },
        rows,
        errors,
        flash: done
          ? `${done.saved} ${done.saved === 1 ? 'name was' : 'names were'} saved and ${done.forgotten} forgotten.`
          : undefined,
      });
    };
    // A plain form, not an upload: on the app, outside this scope's multipart parser, so a
    // multipart body is refused (415) like every form's, field names checked by the form parser.
    app.get(
      paths.indicators.importColumns,
      { config: { permission: 'indicator.edit' } },
      async (request: FastifyRequest<{ Querystring: { saved?: string; forgotten?: string } }>, reply) => {
        const saved = Number(request.query.saved);
        const forgotten = Number(request.query.forgotten);
        return columnsPage(
          reply,
          await indicatorTransfer.headerMappings(request.actor),
          undefined,
          undefined,
          200,
          Number.isInteger(saved) && Number.isInteger(forgotten) && saved + forgotten > 0
            ? { saved, forgotten }
            : undefined,
        );
      },
    );
    app.post(
      paths.indicators.importColumns,
      { config: { permission: 'indicator.edit' } },
      async (
        request: FastifyRequest<{ Body: { from?: string; mappings?: { header?: string; column?: string }[] } }>,
        reply,
      ) => {
        const mappings = await indicatorTransfer.headerMappings(request.actor);
        try {
          const done = await indicatorTransfer.saveHeaderMappings(request.actor, request.body ?? {});
          if (request.body?.from === 'import')
            return reply.redirect(`${paths.indicators.import}?named=${done.saved}`, 303);
          return reply.redirect(
            `${paths.indicators.importColumns}?saved=${done.saved}&forgotten=${done.forgotten}`,
            303,
          );
        } catch (error) {
          const values = Array.isArray(request.body?.mappings)
            ? request.body.mappings
            : Object.values<{ header?: string; column?: string }>(request.body?.mappings ?? {});
          return columnsPage(reply, mappings, values, uploadProblems(error), 422);
        }
      },
    );

    // The downloads read in a unit of work of their own and write the file after it has ended (the
    // service says why): the request holds none while a big workbook is written.
    const VALUES = { csv: paths.indicators.exportCsv(''), xlsx: paths.indicators.exportXlsx('') } as const;
    const TEMPLATES = { csv: paths.indicators.templateCsv, xlsx: paths.indicators.templateXlsx } as const;
    for (const format of ['csv', 'xlsx'] as const) {
      scope.get(
        routeOf(VALUES[format]),
        { config: { permission: 'indicator.read', ownUnitsOfWork: true } },
        async (request: YearQuery, reply) =>
          send(
            reply,
            await indicatorTransfer.exportValues(
              request.actor,
              { year: request.query.year ?? String(thisYear()) },
              format,
            ),
          ),
      );
      scope.get(
        TEMPLATES[format],
        { config: { permission: 'indicator.edit', ownUnitsOfWork: true } },
        async (request, reply) => send(reply, await indicatorTransfer.template(request.actor, format)),
      );
    }

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
    const DEFINITIONS = { csv: paths.indicators.definitionsCsv, xlsx: paths.indicators.definitionsXlsx } as const;
    for (const format of ['csv', 'xlsx'] as const)
      scope.get(
        DEFINITIONS[format],
        { config: { permission: 'indicator.read', ownUnitsOfWork: true } },
        async (request, reply) => send(reply, await indicatorTransfer.exportDefinitions(request.actor, format)),
      );
    scope.get(
      paths.indicators.definitionsTemplateXlsx,
      // Written with no transaction open (ADR 0028), though it reads nothing.
      { config: { permission: 'indicator.edit', rendersDocument: true } },
      async (_request, reply) => send(reply, await indicatorTransfer.definitionsTemplate('xlsx')),
    );
  });
}
