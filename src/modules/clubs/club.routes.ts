// Pages of benchmarking clubs (issue 11): the clubs one's organisation hosts or belongs to, a
// club's statistics (the host) or where one stands (a member), invitations, joining and leaving,
// and contributing or withdrawing figures.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, selectItems, submitForm } from '../../platform/http/forms.ts';
import { writeCsv } from '../../platform/csv.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { presentClub, statisticsRows } from './club.presenter.ts';
import { formatDate, fromDbDate } from '../../domain/dates.ts';

type IdReq = FastifyRequest<{ Params: { id: string } }>;
type FigureReq = FastifyRequest<{ Params: { figureId: string } }>;

const read = { permission: 'clubs.read' } as const;
const host = { permission: 'clubs.host' } as const;
const contribute = { permission: 'clubs.contribute' } as const;

const SAVED: Record<string, string> = {
  club: 'The club has been created. Invite its members by their Amber address names.',
  invited: 'The organisation has been invited. Its figures count once it joins.',
  joined: 'Your organisation has joined the club. Contribute its figures to see where it stands.',
  left: 'Your organisation has left the club: its figures no longer count.',
  contributed: 'Your figures have been contributed.',
  consented:
    'The baseline has been contributed. Its figures follow the exercise: each change to it replaces them, until you stop contributing it.',
  'baseline-withdrawn': 'You have stopped contributing the baseline: its figures no longer count.',
  withdrawn: 'The figure has been withdrawn.',
};

export function registerClubRoutes(app: FastifyInstance, services: Services): void {
  const { clubs } = services;

  // --- API: the same statistics, withheld the same way (nothing from fewer than five members) ---
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.clubs,
      permission: 'clubs.read',
      summary: 'The benchmarking clubs the organisation hosts or was invited to, and its place in each',
      tag: 'Benchmarking clubs',
      success: { status: 200, description: 'Clubs' },
    },
    async (request) =>
      (await clubs.listClubs(request.actor)).map((c) => ({
        id: c.id,
        name: c.name,
        host: c.hostName,
        role: c.isHost ? 'host' : c.membership?.leftAt ? 'left' : c.membership?.joinedAt ? 'member' : 'invited',
      })),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.club,
      permission: 'clubs.read',
      summary:
        'A club’s statistics (quartiles; withheld, with the number of members and `withheldBecause`, below five members or when a quartile would be one member’s own figure) and, for a member, where it stands',
      tag: 'Benchmarking clubs',
      success: { status: 200, description: 'The club, its statistics and the member’s standings' },
    },
    async (request: IdReq) => {
      const view = await clubs.getClub(request.actor, request.params.id);
      return {
        club: { id: view.club.id, name: view.club.name, host: view.club.hostName },
        statistics: view.statistics.map((s) => ({ ...s, withheld: s.p50 === null })),
        standings: view.standings.map((s) => ({
          metric: s.metric,
          label: s.label,
          period: s.period,
          direction: s.direction,
          own: s.own?.value ?? null,
          band: s.comparison?.band ?? null,
          median: s.comparison?.median ?? null,
          bestQuartile: s.comparison?.best ?? null,
          gapToMedian: s.comparison?.gapToMedian ?? null,
          gapToBest: s.comparison?.gapToBest ?? null,
          withheld: s.withheld ?? null,
        })),
      };
    },
  );

  app.get(paths.clubs.list, { config: read }, async (request, reply) =>
    reply.view('clubs/views/clubs.njk', {
      pageTitle: 'Benchmarking clubs',
      section: 'clubs',
      flash: (request.query as Record<string, unknown>).saved === 'left' ? SAVED.left : undefined,
      clubs: (await clubs.listClubs(request.actor)).map((c) => ({
        ...c,
        role: c.isHost
          ? 'You host it'
          : c.membership?.leftAt
            ? 'You left'
            : c.membership?.joinedAt
              ? 'Member'
              : 'Invited: not joined yet',
      })),
    }),
  );
  const clubForm = (values: Record<string, unknown>, errors?: ErrorView) => ({
    template: 'clubs/views/club-form.njk',
    pageTitle: 'Start a benchmarking club',
    section: 'clubs',
    backLink: { href: paths.clubs.list },
    values,
    errors,
  });
  app.get(paths.clubs.new, { config: host }, async (_request, reply) => {
    const { template, ...ctx } = clubForm({});
    return reply.view(template, ctx);
  });
  app.post(paths.clubs.list, { config: host }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => clubs.createClub(request.actor, body),
      (id) => `${paths.clubs.show(id)}?saved=club`,
      async (errors) => clubForm(body, errors),
    );
  });

  async function clubPage(request: IdReq, extra: Record<string, unknown> = {}) {
    const view = presentClub(await clubs.getClub(request.actor, request.params.id));
    const saved = (request.query as Record<string, unknown>).saved;
    const options = view.membership?.joinedAt
      ? await clubs.contributionOptions(request.actor).catch(() => undefined)
      : undefined;
    const consents = view.membership?.joinedAt ? await clubs.consents(request.actor, { clubId: view.club.id }) : [];
    return {
      template: 'clubs/views/club.njk',
      pageTitle: view.club.name,
      section: 'clubs',
      backLink: { href: paths.clubs.list, text: 'Benchmarking clubs' },
      view,
      flash: typeof saved === 'string' ? SAVED[saved] : undefined,
      exerciseItems: options
        ? selectItems(
            options.exercises,
            (e) => e.id,
            (e) => e.name,
            undefined,
            'Choose an exercise',
          )
        : [],
      indicatorItems: options
        ? selectItems(
            options.indicators,
            (i) => i.code,
            (i) => `${i.code} ${i.title}${i.sharedCode ? ` (${i.sharedCode})` : ''}`,
            undefined,
            'Choose an indicator',
          )
        : [],
      consents: consents.map((c) => ({
        ...c,
        embargoUntil: c.embargoUntil && formatDate(fromDbDate(c.embargoUntil)),
        consentedAt: formatDate(fromDbDate(c.consentedAt)),
      })),
      values: {},
      ...extra,
    };
  }
  app.get(routes.club, { config: read }, async (request: IdReq, reply) => {
    const { template, ...ctx } = await clubPage(request);
    return reply.view(template, ctx);
  });
  app.get(routes.clubStatisticsCsv, { config: read }, async (request: IdReq, reply) => {
    const view = await clubs.getClub(request.actor, request.params.id);
    const csv = writeCsv(
      ['metric', 'label', 'period', 'direction', 'members', 'p25', 'median', 'p75', 'note'],
      statisticsRows(view.statistics),
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="club-statistics.csv"')
      .send(csv);
  });
  const back = (id: string, saved: string) => `${paths.clubs.show(id)}?saved=${saved}`;
  app.post(routes.clubMembers, { config: host }, async (request: IdReq, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => clubs.invite(request.actor, request.params.id, body),
      () => back(request.params.id, 'invited'),
      (errors) => clubPage(request, { errors, values: body }),
    );
  });
  for (const [route, join] of [
    [routes.clubJoin, true],
    [routes.clubLeave, false],
  ] as const)
    app.post(route, { config: contribute }, async (request: IdReq, reply) => {
      const body = formBody(request);
      return submitForm(
        reply,
        () => clubs.setMembership(request.actor, request.params.id, join, body),
        () => (join ? back(request.params.id, 'joined') : `${paths.clubs.list}?saved=left`),
        (errors) => clubPage(request, { errors }),
      );
    });
  app.post(routes.clubBaseline, { config: contribute }, async (request: IdReq, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => clubs.contributeBaseline(request.actor, request.params.id, body),
      () => back(request.params.id, 'consented'),
      (errors) => clubPage(request, { errors, values: body }),
    );
  });
  app.post(routes.clubBaselineWithdraw, { config: contribute }, async (request: IdReq, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => clubs.withdrawBaseline(request.actor, request.params.id, body),
      () => back(request.params.id, 'baseline-withdrawn'),
      (errors) => clubPage(request, { errors }),
    );
  });
  app.post(routes.clubIndicator, { config: contribute }, async (request: IdReq, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => clubs.contributeIndicator(request.actor, request.params.id, body),
      () => back(request.params.id, 'contributed'),
      (errors) => clubPage(request, { errors, values: body }),
    );
  });
  app.post(routes.clubWithdraw, { config: contribute }, async (request: FigureReq, reply) => {
    const clubId = await clubs.withdraw(request.actor, request.params.figureId);
    return reply.redirect(back(clubId, 'withdrawn'), 303);
  });
}
