// The JSON API of benchmarking clubs (issue 11) beyond the reads declared with the pages
// (GET /api/clubs and /api/clubs/{id}, in club.routes.ts: the statistics, withheld below five
// members, and a member's standings): what hosts and members do on the pages. The host starts a
// club, invites members and sees every member's place; a member opts in or out, contributes its
// diagnostic baseline or an indicator's value (each with an optional embargo date) and withdraws a
// figure. Thin, like the pages: the same schemas and service calls, so invalid input is refused
// naming each field (422) and changes nothing, a stale `version` is 409, and a club the
// organisation neither hosts nor belongs to is not found (404).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { z } from 'zod';
import {
  baselineContribution,
  baselineWithdrawal,
  clubInput,
  indicatorContribution,
  inviteInput,
} from './club.schemas.ts';
import { ClubNotFoundError, type Membership } from './club.service.ts';

type IdReq = FastifyRequest<{ Params: { id: string } }>;
type FigureReq = FastifyRequest<{ Params: { figureId: string } }>;

const TAG = 'Benchmarking clubs';

/** An organisation's place in a club, in words a script can switch on. */
const placeOf = (m: Membership) => ({
  organisation: m.organisationName,
  state: m.leftAt ? 'left' : m.joinedAt ? 'member' : 'invited',
  invitedAt: m.invitedAt.toISOString(),
  joinedAt: m.joinedAt?.toISOString() ?? null,
  leftAt: m.leftAt?.toISOString() ?? null,
  version: m.version,
});

/** Joining or leaving changes the organisation's place as read: it sends that place's version. */
const membershipVersion = z.object({
  version: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z.number({ error: 'Send the version of your organisation’s place in the club' }).int().min(1),
  ),
});

export function registerClubApi(app: FastifyInstance, services: Services): void {
  const { clubs } = services;
  const R = routes.api;
  const op = apiOperation;
  const clubRef = async (request: FastifyRequest, id: string) => {
    const view = await clubs.getClub(request.actor, id);
    return { id: view.club.id, name: view.club.name, description: view.club.description, host: view.club.hostName };
  };
  /** The acting organisation's own place in a club it was invited to (whatever its state); 404 otherwise. */
  const ownPlace = async (request: FastifyRequest, id: string) => {
    const club = (await clubs.listClubs(request.actor)).find((c) => c.id === id && !c.isHost && c.membership);
    if (!club) throw new ClubNotFoundError();
    return { club: { id: club.id, name: club.name, host: club.hostName }, ...placeOf(club.membership!) };
  };

  // --- The host -----------------------------------------------------------------------------
  op(
    app,
    {
      method: 'POST',
      url: paths.api.clubs,
      permission: 'clubs.host',
      summary: 'Start a benchmarking club that the organisation hosts (`name`, `description`)',
      tag: TAG,
      body: clubInput,
      success: { status: 201, description: 'The club' },
    },
    async (request: FastifyRequest, reply) => {
      const id = await clubs.createClub(request.actor, request.body);
      return reply.status(201).send(await clubRef(request, id));
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.clubMembers,
      permission: 'clubs.read',
      summary:
        'The host’s view of who is in its club: each invited organisation and its place (invited, member, left); never their figures',
      tag: TAG,
      success: { status: 200, description: 'The members' },
    },
    async (request: IdReq) => {
      const view = await clubs.getClub(request.actor, request.params.id);
      // A member sees how many there are through the statistics, not who they are.
      if (!view.isHost) throw new ClubNotFoundError();
      return { club: await clubRef(request, view.club.id), joined: view.joined, members: view.members.map(placeOf) };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.clubMembers,
      permission: 'clubs.host',
      summary: 'Invite an organisation by its Amber address name (`member`); its figures count once it joins',
      tag: TAG,
      body: inviteInput,
      success: { status: 201, description: 'The members' },
    },
    async (request: IdReq, reply) => {
      await clubs.invite(request.actor, request.params.id, request.body);
      const view = await clubs.getClub(request.actor, request.params.id);
      return reply
        .status(201)
        .send({ club: await clubRef(request, view.club.id), joined: view.joined, members: view.members.map(placeOf) });
    },
  );

  // --- A member -----------------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.clubMembership,
      permission: 'clubs.read',
      summary:
        'The organisation’s own place in a club it was invited to: invited, member or left, with the `version` joining or leaving sends',
      tag: TAG,
      success: { status: 200, description: 'The organisation’s place' },
    },
    async (request: IdReq) => ownPlace(request, request.params.id),
  );
  for (const [url, join] of [
    [R.clubJoin, true],
    [R.clubLeave, false],
  ] as const)
    op(
      app,
      {
        method: 'POST',
        url,
        permission: 'clubs.contribute',
        versioned: true,
        summary: join
          ? 'Opt in: join a club the organisation was invited to, or rejoin it (send the `version` of its place); its figures count from now'
          : 'Opt out: leave the club (send the `version` of its place); its figures stop counting at once',
        tag: TAG,
        body: membershipVersion,
        success: { status: 200, description: 'The organisation’s place' },
      },
      async (request: IdReq) => {
        await clubs.setMembership(request.actor, request.params.id, join, request.body);
        return ownPlace(request, request.params.id);
      },
    );
  op(
    app,
    {
      method: 'GET',
      url: R.clubFigures,
      permission: 'clubs.read',
      summary:
        'The figures the organisation has contributed to the club (its own only), each with its embargo date and the id to withdraw it by',
      tag: TAG,
      success: { status: 200, description: 'Own figures' },
    },
    async (request: IdReq) => {
      const view = await clubs.getClub(request.actor, request.params.id);
      return view.standings.flatMap((s) => (s.own ? [s.own] : []));
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.clubBaseline,
      permission: 'clubs.contribute',
      summary:
        'Contribute a diagnostic exercise’s baseline (`exerciseId`): each function’s cost as a share of running costs, for its financial year, following the exercise (each change to it replaces the figures, until the contribution is stopped); `embargoUntil` ("01/04/2010") keeps it out of the statistics until then',
      tag: TAG,
      body: baselineContribution,
      success: { status: 201, description: 'How many figures were contributed, and the organisation’s figures' },
    },
    async (request: IdReq, reply) => {
      const contributed = await clubs.contributeBaseline(request.actor, request.params.id, request.body);
      const view = await clubs.getClub(request.actor, request.params.id);
      return reply.status(201).send({ contributed, figures: view.standings.flatMap((s) => (s.own ? [s.own] : [])) });
    },
  );
  const consentOf = (c: Awaited<ReturnType<typeof clubs.consents>>[number]) => ({
    exerciseId: c.exerciseId,
    exercise: c.exerciseName,
    embargoUntil: c.embargoUntil,
    consentedBy: c.consentedBy,
    consentedAt: c.consentedAt.toISOString(),
    version: c.version,
  });
  op(
    app,
    {
      method: 'GET',
      url: R.clubConsents,
      permission: 'clubs.read',
      summary:
        'The diagnostic baselines the organisation contributes to the club, each following its exercise (its figures replaced at each change of it), with the version to stop by',
      tag: TAG,
      success: { status: 200, description: 'Own consents' },
    },
    async (request: IdReq) => {
      const view = await clubs.getClub(request.actor, request.params.id);
      if (!view.membership?.joinedAt) return [];
      return (await clubs.consents(request.actor, { clubId: view.club.id })).map(consentOf);
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.clubBaselineWithdraw,
      permission: 'clubs.contribute',
      summary:
        'Stop contributing a diagnostic exercise’s baseline (`exerciseId`, and the `version` of the contribution as read): its figures stop counting at once',
      tag: TAG,
      body: baselineWithdrawal,
      success: { status: 200, description: 'The baselines the organisation still contributes to the club' },
    },
    async (request: IdReq) => {
      await clubs.withdrawBaseline(request.actor, request.params.id, request.body);
      return (await clubs.consents(request.actor, { clubId: request.params.id })).map(consentOf);
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.clubIndicator,
      permission: 'clubs.contribute',
      summary:
        'Contribute an indicator’s value for a period (`indicator` code, `period` key) under the identifier the club compares by (`sharedCode`, like an LG Inform metric id: optional when the indicator records its shared identifier, and refused when it differs from it); `embargoUntil` optional',
      tag: TAG,
      body: indicatorContribution,
      success: { status: 201, description: 'The organisation’s figures' },
    },
    async (request: IdReq, reply) => {
      await clubs.contributeIndicator(request.actor, request.params.id, request.body);
      const view = await clubs.getClub(request.actor, request.params.id);
      return reply.status(201).send({ figures: view.standings.flatMap((s) => (s.own ? [s.own] : [])) });
    },
  );
  op(
    app,
    {
      method: 'DELETE',
      url: R.clubFigure,
      permission: 'clubs.contribute',
      // A figure is withdrawn once and never edited: there is no version to send.
      versioned: false,
      summary: 'Withdraw one of the organisation’s figures: it stops counting in the statistics at once',
      tag: TAG,
      success: { status: 200, description: 'The club the figure was withdrawn from' },
    },
    async (request: FigureReq) => {
      const clubId = await clubs.withdraw(request.actor, request.params.figureId);
      return { club: { id: clubId }, withdrawn: request.params.figureId };
    },
  );
}
