// The JSON API of data-sharing agreements and shared priorities (issue 11): everything the pages
// let the sharing organisation and its partner do, for their IT teams to integrate with. Thin, like
// the pages: the same schemas and service calls, so the same rules hold (a share only under an
// active agreement; a partner sees only what was shared and writes only where the share lets it),
// invalid input is refused naming each field (422) and changes nothing, a stale `version` is 409,
// and anything of another organisation, or of an agreement that has ended or been revoked, is not
// found (404). The partner's list of what is shared with it (GET /api/shared-with-us) is declared
// with the pages in sharing.routes.ts.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { routes, paths } from '../../paths.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { formatValue } from '../../domain/indicators/indicator.ts';
import { presentReport } from '../reports/report.presenter.ts';
import { progressInput } from '../reports/report.schemas.ts';
import { valueInput } from '../indicators/indicator.schemas.ts';
import {
  agreementInput,
  commentInput,
  jointSignOffInput,
  revokeInput,
  shareActionsInput,
  shareInput,
  shareSectionsInput,
} from './sharing.schemas.ts';
import type { Conversation, ShareSections, SharingService, SuppliedIndicator } from './sharing.service.ts';

type IdReq = FastifyRequest<{ Params: { id: string } }>;
type ShareReq = FastifyRequest<{ Params: { shareId: string } }>;
type SharedReq = FastifyRequest<{ Params: { shareId: string; period: string } }>;
type ItemReq = FastifyRequest<{ Params: { shareId: string; period: string; id: string } }>;
type SectionsReq = FastifyRequest<{ Params: { shareId: string; code: string } }>;

const TAG = 'Sharing';
/** The signed-in person's name, as a comment shows it (their e-mail address if they have none). */
const authorName = (request: FastifyRequest) => request.identity?.user.name || request.actor.label;

/** The comments of a shared report, each with its author and their organisation, and the key actions a comment may be about. */
function presentConversation(c: Conversation) {
  return {
    canComment: c.canComment,
    comments: c.comments.map((x) => ({
      id: x.id,
      author: x.authorName,
      organisation: x.authorOrganisationName,
      at: x.createdAt.toISOString(),
      about: x.action ? { actionId: x.actionId, number: x.action.number, description: x.action.description } : null,
      body: x.body,
    })),
    actions: c.actions,
  };
}

/** What the partner of one share sees of the priority's reports, section by section, and the version to send. */
function presentSections(s: ShareSections) {
  return {
    shareId: s.share.id,
    priority: s.share.priorityCode,
    partner: s.agreement.partnerName,
    /** Whether the share still shares anything: only then may the sections change. */
    live: s.live,
    version: s.share.version,
    internalSections: s.sections.filter((x) => !x.shared).map((x) => x.key),
    sections: s.sections.map((x) => ({ key: x.key, label: x.label, shared: x.shared })),
    lastChange: s.lastChange ? { by: s.lastChange.actor, at: s.lastChange.at.toISOString() } : null,
  };
}

/** A supplied indicator's periods within the shared one: the value as it would be typed, and the version to send. */
function presentSupplied(s: SuppliedIndicator) {
  return {
    id: s.indicator.id,
    code: s.indicator.code,
    title: s.indicator.title,
    periods: s.periods.map((p) => ({
      periodKey: p.key,
      label: p.label,
      actual:
        p.point?.value.actual === null || p.point?.value.actual === undefined
          ? ''
          : formatValue(p.point.value.actual, s.unit),
      target:
        p.point?.value.target === null || p.point?.value.target === undefined
          ? ''
          : formatValue(p.point.value.target, s.unit),
      comment: p.point?.value.comment ?? '',
      /** 0 when no value is recorded yet. */
      version: p.point?.value.version ?? 0,
    })),
  };
}

/** A shared report as the partner may read it: the report (sections kept internal are empty) and what it may do there. */
async function sharedReport(sharing: SharingService, request: SharedReq) {
  const { shareId, period } = request.params;
  const shared = await sharing.readShared(request.actor, shareId, period);
  return {
    share: shared.share,
    internalSections: shared.internalSections,
    report: presentReport(shared.bundle),
    /** The milestones the organisation may record progress on (PUT …/milestones/{id}/progress with `version`). */
    updatable: shared.updatable,
    /** The indicators it supplies (PUT …/indicators/{id}/value). */
    supplied: shared.supplied.map(presentSupplied),
    conversation: shared.conversation ? presentConversation(shared.conversation) : null,
    joint: shared.joint ?? null,
  };
}

export function registerSharingApi(app: FastifyInstance, services: Services): void {
  const { sharing } = services;
  const R = routes.api;
  const op = apiOperation;
  const agreementOf = async (request: FastifyRequest, id: string) => sharing.getAgreement(request.actor, id);
  const shareOf = async (request: FastifyRequest, agreementId: string, shareId: string) =>
    (await agreementOf(request, agreementId)).shares.find((s) => s.id === shareId)!;

  // --- The organisation that shares ----------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: paths.api.sharingAgreements,
      permission: 'sharing.manage',
      summary:
        'The data-sharing agreements the organisation has recorded, each with its state (active, not-started, ended, revoked)',
      tag: TAG,
      success: { status: 200, description: 'Agreements' },
    },
    async (request) => sharing.listAgreements(request.actor),
  );
  op(
    app,
    {
      method: 'POST',
      url: paths.api.sharingAgreements,
      permission: 'sharing.manage',
      summary:
        'Record an agreement with another organisation, named by its Amber address name (`partner`): purpose, what is shared, legal basis, dates ("01/04/2009") and signatories',
      tag: TAG,
      body: agreementInput,
      success: { status: 201, description: 'The agreement and its shares (none yet)' },
    },
    async (request: FastifyRequest, reply) => {
      const id = await sharing.createAgreement(request.actor, request.body);
      return reply.status(201).send(await agreementOf(request, id));
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.sharingAgreement,
      permission: 'sharing.manage',
      summary: 'An agreement with its state and the priorities shared under it (with the values the partner supplied)',
      tag: TAG,
      success: { status: 200, description: 'The agreement and its shares' },
    },
    async (request: IdReq) => agreementOf(request, request.params.id),
  );
  op(
    app,
    {
      method: 'POST',
      url: R.revokeSharingAgreement,
      permission: 'sharing.manage',
      versioned: true,
      summary:
        'Revoke the agreement now, with the reason (send `version`): nothing is shared under it any more, at once, and the history says who revoked it and why',
      tag: TAG,
      body: revokeInput,
      success: { status: 200, description: 'The agreement, revoked, and its shares' },
    },
    async (request: IdReq) => {
      await sharing.revokeAgreement(request.actor, request.params.id, request.body);
      return agreementOf(request, request.params.id);
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.agreementShares,
      permission: 'sharing.manage',
      summary:
        'The priorities shared under an agreement: level, periods, indicators (and those the partner supplies), sections kept internal',
      tag: TAG,
      success: { status: 200, description: 'Shares' },
    },
    async (request: IdReq) => (await agreementOf(request, request.params.id)).shares,
  );
  op(
    app,
    {
      method: 'POST',
      url: R.agreementShares,
      permission: 'sharing.manage',
      summary:
        'Share a priority under an active agreement: `level` read or update, `periodIds`, `indicatorIds`, `suppliedIndicatorIds` (update only), `internalSections` (summary, achievements, challenges, actions, signOffs), `joint` with `jointOfficer`',
      tag: TAG,
      body: shareInput,
      success: { status: 201, description: 'The share' },
    },
    async (request: IdReq, reply) => {
      const id = await sharing.createShare(request.actor, request.params.id, request.body);
      return reply.status(201).send(await shareOf(request, request.params.id, id));
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.revokeShare,
      permission: 'sharing.manage',
      versioned: true,
      summary: 'Revoke a share (send `version`): the partner no longer sees the priority, at once',
      tag: TAG,
      body: revokeInput.pick({ version: true }),
      success: { status: 200, description: 'The share, revoked' },
    },
    async (request: ShareReq) => {
      const share = await sharing.revokeShare(request.actor, request.params.shareId, request.body);
      return shareOf(request, share.agreementId, share.id);
    },
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.shareActions,
      permission: 'sharing.manage',
      summary:
        'Choose the key actions of the shared reports an update share lets the partner update, besides those naming it (`actionIds`, `version`)',
      tag: TAG,
      body: shareActionsInput,
      success: { status: 200, description: 'The share' },
    },
    async (request: ShareReq) => {
      const share = await sharing.chooseShareActions(request.actor, request.params.shareId, request.body);
      return shareOf(request, share.agreementId, share.id);
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.shareComments,
      permission: 'shared.comment',
      summary:
        'The conversation with the partner about a shared report: every comment, with its author and organisation',
      tag: TAG,
      success: { status: 200, description: 'The conversation' },
    },
    async (request: SharedReq) => {
      const c = await sharing.ownerConversation(request.actor, request.params.shareId, request.params.period);
      return { period: c.period, ...presentConversation(c.conversation) };
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.shareComments,
      permission: 'shared.comment',
      summary:
        'Answer the partner on a shared report (`body`, and `actionId` of a shared key action if it is about one), while the share is live',
      tag: TAG,
      body: commentInput,
      success: { status: 201, description: 'The conversation' },
    },
    async (request: SharedReq, reply) => {
      const { shareId, period } = request.params;
      await sharing.commentAsOwner(request.actor, authorName(request), shareId, period, request.body);
      const c = await sharing.ownerConversation(request.actor, shareId, period);
      return reply.status(201).send({ period: c.period, ...presentConversation(c.conversation) });
    },
  );

  // --- What the partner sees of a shared priority (issue 11, item 3) --------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.shareSections,
      permission: 'report.edit',
      summary:
        'Which sections of the shared priority’s reports the partner of this share sees (`shared`) and which are kept internal, with the share’s `version`; for those who may write the priority’s reports',
      tag: TAG,
      success: { status: 200, description: 'The sections, each shared or kept internal' },
    },
    async (request: SectionsReq) =>
      presentSections(await sharing.shareSections(request.actor, request.params.shareId, request.params.code)),
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.shareSections,
      permission: 'report.edit',
      summary:
        'Keep sections of the shared priority’s reports internal from this partner, or share them again: `internalSections` is the whole list kept internal (of summary, achievements, challenges, actions, signOffs; `[]` shares every section) and `version` the share’s as read (409 when it changed since, saying what the partner sees now; nothing is changed). Holds from the partner’s next request; audited',
      tag: TAG,
      body: shareSectionsInput,
      success: { status: 200, description: 'The sections as the partner now sees them' },
    },
    async (request: SectionsReq) =>
      presentSections(
        await sharing.setInternalSections(request.actor, request.params.shareId, request.params.code, request.body),
      ),
  );

  // --- The partner --------------------------------------------------------------------------
  op(
    app,
    {
      method: 'GET',
      url: R.sharedReport,
      permission: 'shared.read',
      summary:
        'A report shared with the organisation, as it may read it: sections kept internal are empty, graphs only of shared indicators, no risks; with the milestones it may update, the indicators it supplies and the conversation',
      tag: TAG,
      success: { status: 200, description: 'The shared report' },
    },
    async (request: SharedReq) => sharedReport(sharing, request),
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.sharedMilestoneProgress,
      permission: 'shared.update',
      summary:
        'Record what became of a milestone of a shared key action naming the organisation (an update share): {"progress": "met"|"slipped"|"missed"|"suspended"|"none", "metOn", "revised", "reason", "version"}; 403 when it is not named on the action or the share is read only',
      tag: TAG,
      body: progressInput,
      success: { status: 200, description: 'The shared report' },
    },
    async (request: ItemReq) => {
      const { shareId, period, id } = request.params;
      await sharing.recordSharedProgress(request.actor, shareId, period, id, request.body);
      return sharedReport(sharing, request);
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.sharedIndicator,
      permission: 'shared.update',
      summary:
        'An indicator the organisation supplies in a shared report: the periods within the shared one, each with its value as typed and its version',
      tag: TAG,
      success: { status: 200, description: 'The supplied indicator' },
    },
    async (request: ItemReq) => {
      const { shareId, period, id } = request.params;
      const found = await sharing.suppliedIndicator(request.actor, shareId, period, id);
      return { period: found.period, indicator: presentSupplied(found.supplied) };
    },
  );
  op(
    app,
    {
      method: 'PUT',
      url: R.sharedIndicatorValue,
      permission: 'shared.update',
      summary:
        'Enter the actual of an indicator the organisation supplies, for one of the periods listed (`period` key, `actual` as typed, `comment`, `version`: 0 when none is recorded); the owner’s target stays',
      tag: TAG,
      body: valueInput.pick({ period: true, actual: true, comment: true, version: true }),
      success: { status: 200, description: 'The supplied indicator' },
    },
    async (request: ItemReq) => {
      const { shareId, period, id } = request.params;
      await sharing.enterSuppliedValue(request.actor, shareId, period, id, request.body);
      const found = await sharing.suppliedIndicator(request.actor, shareId, period, id);
      return { period: found.period, indicator: presentSupplied(found.supplied) };
    },
  );
  op(
    app,
    {
      method: 'GET',
      url: R.sharedComments,
      permission: 'shared.comment',
      summary:
        'The conversation on a report shared with the organisation: every comment, with its author and organisation',
      tag: TAG,
      success: { status: 200, description: 'The conversation' },
    },
    async (request: SharedReq) => (await sharedReport(sharing, request)).conversation,
  );
  op(
    app,
    {
      method: 'POST',
      url: R.sharedComments,
      permission: 'shared.comment',
      summary:
        'Comment on a report shared with the organisation (`body`, and `actionId` of a shared key action if it is about one); the owner sees the author and organisation',
      tag: TAG,
      body: commentInput,
      success: { status: 201, description: 'The conversation' },
    },
    async (request: SharedReq, reply) => {
      const { shareId, period } = request.params;
      await sharing.commentOnShared(request.actor, authorName(request), shareId, period, request.body);
      return reply.status(201).send((await sharedReport(sharing, request)).conversation);
    },
  );
  op(
    app,
    {
      method: 'POST',
      url: R.sharedSignOff,
      permission: 'shared.sign-off',
      summary:
        'Sign off, for the organisation, the revision in sign-off of a report of a priority it owns jointly: `version` is the report’s as read (`joint.version` of the shared report), `comment` optional; 409 when the report changed since that version (saying what it is now), is not in sign-off, or the organisation has signed this revision; nothing is changed',
      tag: TAG,
      body: jointSignOffInput,
      success: { status: 200, description: 'The joint sign-off as it stands' },
    },
    async (request: SharedReq) => {
      const { shareId, period } = request.params;
      await sharing.signOffJointly(request.actor, shareId, period, request.body, authorName(request));
      return (await sharing.readShared(request.actor, shareId, period)).joint;
    },
  );
}
