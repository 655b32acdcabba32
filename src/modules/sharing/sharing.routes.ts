// Pages of data-sharing agreements and shared priorities (issue 11): the organisation that shares
// records agreements and shares priorities under them; the partner reads "Shared with us" and
// records progress on the milestones of actions naming it.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, selectItems, submitForm } from '../../platform/http/forms.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import type { ShareSections } from './sharing.service.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { formatDate, todayIso, type IsoDate } from '../../domain/dates.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { SECTION_LABELS, SHAREABLE_SECTIONS, sectionsInWords } from './sharing.schemas.ts';
import {
  presentAgreement,
  presentAgreementHistory,
  presentShare,
  presentShareSections,
  presentSharedProgress,
  presentConversation,
  presentSharedReport,
  presentSupplied,
  sharedProgressFormValues,
  sharedProgressItems,
  suppliedValueForm,
} from './sharing.presenter.ts';

type IdReq = FastifyRequest<{ Params: { id: string } }>;
type ShareReq = FastifyRequest<{ Params: { shareId: string } }>;
type ShareReportReq = FastifyRequest<{ Params: { shareId: string; period: string } }>;
type SharedReq = FastifyRequest<{ Params: { shareId: string; period: string } }>;
type SectionsReq = FastifyRequest<{ Params: { shareId: string; code: string } }>;
type MilestoneReq = FastifyRequest<{ Params: { shareId: string; period: string; id: string } }>;
type IndicatorReq = FastifyRequest<{
  Params: { shareId: string; period: string; id: string };
  Querystring: { for?: unknown };
}>;

const manage = { permission: 'sharing.manage' } as const;
const read = { permission: 'shared.read' } as const;
const update = { permission: 'shared.update' } as const;
const comment = { permission: 'shared.comment' } as const;
/** Choosing the sections a partner sees is writing the report (issue 11, item 3): the report's editors. */
const editReport = { permission: 'report.edit' } as const;
/** The signed-in person's name, as a comment shows it (their e-mail address if they have none). */
const authorName = (request: FastifyRequest) => request.identity?.user.name || request.actor.label;

export function registerSharingRoutes(app: FastifyInstance, services: Services): void {
  const { sharing } = services;
  const saved = (request: FastifyRequest) => (request.query as Record<string, unknown>).saved;

  // --- The organisation that shares ---------------------------------------------------------
  app.get(paths.sharing.list, { config: manage }, async (request, reply) =>
    reply.view('sharing/views/agreements.njk', {
      pageTitle: 'Data-sharing agreements',
      section: 'sharing',
      agreements: (await sharing.listAgreements(request.actor)).map(presentAgreement),
    }),
  );

  async function agreementForm(request: FastifyRequest, values: Record<string, unknown>, errors?: ErrorView) {
    const options = await sharing.agreementOptions(request.actor);
    return {
      template: 'sharing/views/agreement-form.njk',
      pageTitle: 'Record a data-sharing agreement',
      section: 'sharing',
      backLink: { href: paths.sharing.list },
      values,
      errors,
      recordItems: selectItems(
        options.partnerRecords,
        (o) => o.id,
        (o) => o.name,
        values.partnerRecordId as string,
        'Not named on our key actions',
      ),
    };
  }
  app.get(paths.sharing.newAgreement, { config: manage }, async (request, reply) => {
    const { template, ...ctx } = await agreementForm(request, {});
    return reply.view(template, ctx);
  });
  app.post(paths.sharing.agreements, { config: manage }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.createAgreement(request.actor, body),
      (id) => `${paths.sharing.agreement(id)}?saved=agreement`,
      (errors) => agreementForm(request, body, errors),
    );
  });

  async function agreementPage(request: FastifyRequest, id: string, extra: Record<string, unknown> = {}) {
    const { agreement, shares } = await sharing.getAgreement(request.actor, id);
    const history = await sharing.agreementHistory(request.actor, id);
    const flash = {
      agreement: 'The agreement has been recorded.',
      share: 'The priority has been shared.',
      revoked: 'The agreement has been revoked: nothing is shared under it any more.',
      unshared: 'The share has been revoked.',
      actions: 'The key actions they may update have been saved.',
    }[typeof saved(request) === 'string' ? (saved(request) as string) : ''];
    return {
      template: 'sharing/views/agreement.njk',
      pageTitle: agreement.title,
      section: 'sharing',
      backLink: { href: paths.sharing.list, text: 'All agreements' },
      agreement: presentAgreement(agreement),
      shares: shares.map(presentShare),
      history: presentAgreementHistory(history, shares),
      flash,
      values: {},
      ...extra,
    };
  }
  app.get(routes.agreement, { config: manage }, async (request: IdReq, reply) => {
    const { template, ...ctx } = await agreementPage(request, request.params.id);
    return reply.view(template, ctx);
  });
  app.post(routes.agreementRevoke, { config: manage }, async (request: IdReq, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.revokeAgreement(request.actor, request.params.id, body),
      () => `${paths.sharing.agreement(request.params.id)}?saved=revoked`,
      (errors) => agreementPage(request, request.params.id, { errors, values: body }),
    );
  });

  async function shareForm(request: FastifyRequest, id: string, values: Record<string, unknown>, errors?: ErrorView) {
    const options = await sharing.shareOptions(request.actor, id);
    const listOf = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
    return {
      template: 'sharing/views/share-form.njk',
      pageTitle: `Share a priority with ${options.agreement.partnerName}`,
      section: 'sharing',
      backLink: { href: paths.sharing.agreement(id) },
      action: paths.sharing.shares(id),
      agreement: options.agreement,
      values,
      errors,
      priorityItems: selectItems(
        options.priorities,
        (p) => p.id,
        (p) => `${p.code} ${p.title}`,
        values.priorityId as string,
        'Choose a priority',
      ),
      levelItems: [
        { value: 'read', text: 'Read only', checked: (values.level ?? 'read') === 'read' },
        {
          value: 'update',
          text: 'Read, and record progress on the milestones of key actions that name them',
          checked: values.level === 'update',
        },
      ],
      periodItems: options.periods.map((p) => ({
        value: p.id,
        text: p.label,
        checked: listOf(values.periodIds).includes(p.id),
      })),
      indicatorItems: options.indicators.map((i) => ({
        value: i.id,
        text: `${i.code} ${i.title}`,
        checked: listOf(values.indicatorIds).includes(i.id),
      })),
      suppliedItems: options.indicators.map((i) => ({
        value: i.id,
        text: `${i.code} ${i.title}`,
        checked: listOf(values.suppliedIndicatorIds).includes(i.id),
      })),
      jointChecked: values.joint === 'yes' || values.joint === true,
      sectionItems: SHAREABLE_SECTIONS.map((k) => ({
        value: k,
        text: SECTION_LABELS[k],
        checked: listOf(values.internalSections).includes(k),
      })),
    };
  }
  app.get(routes.shareNew, { config: manage }, async (request: IdReq, reply) => {
    const { template, ...ctx } = await shareForm(request, request.params.id, {});
    return reply.view(template, ctx);
  });
  app.post(routes.shareCreate, { config: manage }, async (request: IdReq, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.createShare(request.actor, request.params.id, body),
      () => `${paths.sharing.agreement(request.params.id)}?saved=share`,
      (errors) => shareForm(request, request.params.id, body, errors),
    );
  });
  async function actionsForm(request: ShareReq, values: Record<string, unknown>, errors?: ErrorView) {
    const options = await sharing.shareActionOptions(request.actor, request.params.shareId);
    const chosen = Array.isArray(values.actionIds)
      ? values.actionIds.map(String)
      : typeof values.actionIds === 'string'
        ? [values.actionIds]
        : options.share.actionIds;
    return {
      template: 'sharing/views/share-actions.njk',
      pageTitle: `Key actions ${options.agreement.partnerName} may update`,
      section: 'sharing',
      backLink: { href: paths.sharing.agreement(options.agreement.id) },
      action: paths.sharing.shareActions(options.share.id),
      share: options.share,
      errors,
      version: options.share.version,
      groups: options.reports.map((r) => ({
        periodLabel: r.periodLabel,
        items: r.actions.map((a) => ({
          value: a.id,
          text: `${a.number}. ${a.description.length > 160 ? `${a.description.slice(0, 157)}…` : a.description}`,
          checked: chosen.includes(a.id),
        })),
      })),
    };
  }
  app.get(routes.shareActions, { config: manage }, async (request: ShareReq, reply) => {
    const { template, ...ctx } = await actionsForm(request, {});
    return reply.view(template, ctx);
  });
  app.post(routes.shareActions, { config: manage }, async (request: ShareReq, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.chooseShareActions(request.actor, request.params.shareId, body),
      (share) => `${paths.sharing.agreement(share.agreementId)}?saved=actions`,
      (errors) => actionsForm(request, body, errors),
    );
  });
  app.post(routes.shareRevoke, { config: manage }, async (request: ShareReq, reply) => {
    const share = await sharing.revokeShare(request.actor, request.params.shareId, formBody(request));
    return reply.redirect(`${paths.sharing.agreement(share.agreementId)}?saved=unshared`, 303);
  });

  async function conversationPage(request: ShareReportReq, values: Record<string, unknown> = {}, errors?: ErrorView) {
    const { shareId, period } = request.params;
    const c = await sharing.ownerConversation(request.actor, shareId, period);
    return {
      template: 'sharing/views/share-conversation.njk',
      pageTitle: `Comments with ${c.agreement.partnerName} on ${c.share.priorityCode} ${c.period.label}`,
      section: 'sharing',
      backLink: { href: paths.sharing.agreement(c.agreement.id), text: 'The agreement' },
      share: c.share,
      agreement: c.agreement,
      periodLabel: c.period.label,
      conversation: presentConversation(c.conversation, values),
      // What the partner sees of the report, and for its editors where to change that (issue 11, item 3).
      sees: sectionsInWords(c.sections, true, 'No section of the report'),
      kept: sectionsInWords(c.sections, false, 'Nothing'),
      sectionsHref: c.canChooseSections
        ? paths.sharing.shareSections(c.share.id, c.share.priorityCode, c.period.key)
        : undefined,
      commentAction: paths.sharing.shareComments(shareId, period),
      flash:
        saved(request) === 'comment' ? `Your comment has been added. ${c.agreement.partnerName} sees it.` : undefined,
      values,
      errors,
    };
  }
  app.get(routes.shareReport, { config: comment }, async (request: ShareReportReq, reply) => {
    const { template, ...ctx } = await conversationPage(request);
    return reply.view(template, ctx);
  });
  app.post(routes.shareComments, { config: comment }, async (request: ShareReportReq, reply) => {
    const { shareId, period } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.commentAsOwner(request.actor, authorName(request), shareId, period, body),
      () => `${paths.sharing.shareReport(shareId, period)}?saved=comment#comments`,
      (errors) => conversationPage(request, body, errors),
    );
  });

  // --- What the partner sees of a shared priority, as the report's editors choose it ---------
  async function sectionsPage(request: SectionsReq, values: Record<string, unknown> = {}, errors?: ErrorView) {
    const { shareId, code } = request.params;
    const s: ShareSections = await sharing.shareSections(request.actor, shareId, code);
    // The report the page was opened from (a link's `?period=`, or the form's), to go back to; any other value is ignored.
    const query = request.query as Record<string, unknown>;
    const wanted = typeof values.period === 'string' ? values.period : query.period;
    const from = s.periods.find((p) => p.key === wanted);
    const view = presentShareSections(s, values);
    return {
      template: 'sharing/views/share-sections.njk',
      pageTitle: `What ${s.agreement.partnerName} sees of ${s.share.priorityCode}`,
      section: 'priorities',
      backLink: from
        ? { href: paths.reports.show(s.share.priorityCode, from.key), text: 'Back to the report' }
        : { href: paths.priorities.show(s.share.priorityCode), text: `Back to ${s.share.priorityCode}` },
      share: s.share,
      view,
      periodsText: s.periods.map((p) => p.label).join(', '),
      periodKey: from?.key,
      action: paths.sharing.shareSections(s.share.id, s.share.priorityCode),
      flash:
        query.saved === 'sections'
          ? `Saved. ${view.partnerName} now sees: ${view.seesText}. Kept internal: ${view.keptText}.`
          : undefined,
      values,
      errors,
    };
  }
  app.get(routes.shareSections, { config: editReport }, async (request: SectionsReq, reply) => {
    const { template, ...ctx } = await sectionsPage(request);
    return reply.view(template, ctx);
  });
  app.post(routes.shareSections, { config: editReport }, async (request: SectionsReq, reply) => {
    const { shareId, code } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.setInternalSections(request.actor, shareId, code, body),
      (s) => {
        const from = s.periods.find((p) => p.key === body.period)?.key;
        const url = paths.sharing.shareSections(s.share.id, s.share.priorityCode, from);
        return `${url}${url.includes('?') ? '&' : '?'}saved=sections`;
      },
      // After a conflict the form shows what the partner sees now, at the version it is now.
      (errors, conflict) => sectionsPage(request, conflict ? { period: body.period } : body, errors),
    );
  });

  // --- The partner --------------------------------------------------------------------------
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.sharedWithUs,
      permission: 'shared.read',
      summary: 'What other organisations share with the organisation now, under active data-sharing agreements',
      tag: 'Sharing',
      success: {
        status: 200,
        description: 'Shared priorities, with the periods shared and what the organisation may do',
      },
    },
    async (request) => sharing.listSharedWithUs(request.actor),
  );
  app.get(paths.sharedWithUs.list, { config: read }, async (request, reply) =>
    reply.view('sharing/views/shared-with-us.njk', {
      pageTitle: 'Shared with us',
      section: 'shared-with-us',
      shared: (await sharing.listSharedWithUs(request.actor)).map((s) => ({
        ...s,
        endsOnText: formatDate(s.endsOn as IsoDate),
      })),
    }),
  );
  async function sharedReportPage(request: SharedReq, values: Record<string, unknown> = {}, errors?: ErrorView) {
    const { shareId, period } = request.params;
    const shared = await sharing.readShared(request.actor, shareId, period);
    const view = presentSharedReport(shared.bundle);
    return {
      template: 'sharing/views/shared-report.njk',
      pageTitle: `${view.priority.code} ${view.period.label} progress report, shared by ${shared.share.ownerName}`,
      section: 'shared-with-us',
      backLink: { href: paths.sharedWithUs.list, text: 'Shared with us' },
      view,
      share: shared.share,
      sharedBy: `Shared by ${shared.share.ownerName} under “${shared.share.agreementTitle}”.${
        shared.internalSections.length
          ? ` Kept internal, so not shown: ${shared.internalSections.map((k) => SECTION_LABELS[k].toLowerCase()).join('; ')}.`
          : ''
      }`,
      updatable: shared.updatable.map((u) => ({
        ...u,
        href: paths.sharedWithUs.milestone(shareId, period, u.milestoneId),
      })),
      supplied: presentSupplied(shareId, period, shared.supplied),
      flash:
        saved(request) === 'progress'
          ? `The progress has been recorded. ${shared.share.ownerName} sees it with your name and organisation.`
          : saved(request) === 'value'
            ? `The value has been recorded. ${shared.share.ownerName} sees it with your name and organisation.`
            : saved(request) === 'comment'
              ? `Your comment has been added. ${shared.share.ownerName} sees it with your name and organisation.`
              : saved(request) === 'signed'
                ? `Your organisation has signed off revision ${shared.joint?.revision ?? ''}. ${shared.share.ownerName}’s director can publish it once every owner has.`
                : undefined,
      joint: shared.joint,
      code: view.priority.code,
      periodKey: view.period.key,
      conversation: shared.conversation && presentConversation(shared.conversation, values),
      commentAction: paths.sharedWithUs.comments(shareId, period),
      values,
      errors,
    };
  }
  app.get(routes.sharedReport, { config: read }, async (request: SharedReq, reply) => {
    const { template, ...ctx } = await sharedReportPage(request);
    return reply.view(template, ctx);
  });
  app.post(routes.sharedComments, { config: comment }, async (request: SharedReq, reply) => {
    const { shareId, period } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.commentOnShared(request.actor, authorName(request), shareId, period, body),
      () => `${paths.sharedWithUs.report(shareId, period)}?saved=comment#comments`,
      (errors) => sharedReportPage(request, body, errors),
    );
  });

  app.post(routes.sharedSignOff, { config: { permission: 'shared.sign-off' } }, async (request: SharedReq, reply) => {
    const { shareId, period } = request.params;
    await sharing.signOffJointly(request.actor, shareId, period, formBody(request), authorName(request));
    return reply.redirect(`${paths.sharedWithUs.report(shareId, period)}?saved=signed`, 303);
  });

  async function milestonePage(request: MilestoneReq, values: Record<string, unknown>, errors?: ErrorView) {
    const { shareId, period, id } = request.params;
    const shared = await sharing.readShared(request.actor, shareId, period);
    const target = shared.updatable.find((u) => u.milestoneId === id);
    if (!target)
      throw new NotFoundError('MILESTONE_NOT_FOUND', 'There is no milestone here that your organisation may update.');
    const milestone = shared.bundle.report.actions.flatMap((a) => a.milestones).find((m) => m.id === id)!;
    const v =
      Object.keys(values).length > 0
        ? values
        : { ...sharedProgressFormValues(milestone), version: String(milestone.progressVersion) };
    return {
      template: 'sharing/views/shared-milestone.njk',
      pageTitle: 'Record progress on a shared milestone',
      section: 'shared-with-us',
      backLink: { href: paths.sharedWithUs.report(shareId, period) },
      share: shared.share,
      target,
      timescale: formatTimescale(milestone.timescale),
      now: presentSharedProgress(milestone, todayIso()),
      action: paths.sharedWithUs.milestone(shareId, period, id),
      values: v,
      errors,
      progressItems: sharedProgressItems(v.progress),
    };
  }
  app.get(routes.sharedMilestone, { config: update }, async (request: MilestoneReq, reply) => {
    const { template, ...ctx } = await milestonePage(request, {});
    return reply.view(template, ctx);
  });
  app.post(routes.sharedMilestone, { config: update }, async (request: MilestoneReq, reply) => {
    const { shareId, period, id } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.recordSharedProgress(request.actor, shareId, period, id, body),
      () => `${paths.sharedWithUs.report(shareId, period)}?saved=progress`,
      (errors) => milestonePage(request, body, errors),
    );
  });

  async function suppliedPage(
    request: IndicatorReq,
    values: Record<string, unknown>,
    errors?: ErrorView,
    conflict?: unknown,
  ) {
    const { shareId, period, id } = request.params;
    const found = await sharing.suppliedIndicator(request.actor, shareId, period, id);
    const wanted = typeof values.period === 'string' ? values.period : request.query.for;
    const form = suppliedValueForm(found.supplied, typeof wanted === 'string' ? wanted : undefined);
    // After a conflict the form keeps what was typed, against the value as it is now.
    const v =
      Object.keys(values).length > 0
        ? { ...form.values, ...values, ...(conflict ? { version: form.values.version } : {}) }
        : form.values;
    return {
      template: 'sharing/views/shared-value.njk',
      pageTitle: `Enter a value of ${found.supplied.indicator.code}`,
      section: 'shared-with-us',
      backLink: { href: paths.sharedWithUs.report(shareId, period) },
      share: found.share,
      indicator: found.supplied.indicator,
      periodLabel: found.period.label,
      chosen: form.chosen,
      target: form.target,
      action: paths.sharedWithUs.indicator(shareId, period, id),
      values: v,
      errors,
      periodItems: found.supplied.periods.map((p) => ({
        text: p.label,
        href: paths.sharedWithUs.indicator(shareId, period, id, p.key),
        current: p.key === form.chosen?.key,
      })),
    };
  }
  app.get(routes.sharedIndicator, { config: update }, async (request: IndicatorReq, reply) => {
    const { template, ...ctx } = await suppliedPage(request, {});
    return reply.view(template, ctx);
  });
  app.post(routes.sharedIndicator, { config: update }, async (request: IndicatorReq, reply) => {
    const { shareId, period, id } = request.params;
    const body = formBody(request);
    return submitForm(
      reply,
      () => sharing.enterSuppliedValue(request.actor, shareId, period, id, body),
      () => `${paths.sharedWithUs.report(shareId, period)}?saved=value`,
      (errors, conflict) => suppliedPage(request, body, errors, conflict),
    );
  });
}
