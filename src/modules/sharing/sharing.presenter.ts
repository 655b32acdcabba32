// Sharing pages' view models (issue 11): agreements with their state in words, shares in words,
// and a shared report through the reports' own presenter.

import { formatDate, type IsoDate } from '../../domain/dates.ts';
import { AGREEMENT_STATE_LABELS, type AgreementState } from '../../domain/sharing.ts';
import { formatValue } from '../../domain/indicators/indicator.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';
import { paths } from '../../paths.ts';
import { presentReport, presentProgress, progressFormValues, progressItems } from '../reports/report.presenter.ts';
import type {
  AgreementHistoryEvent,
  AgreementWithState,
  Conversation,
  ShareDetail,
  ShareSections,
  SuppliedIndicator,
} from './sharing.service.ts';
import { SECTION_LABELS, sectionsInWords, type ShareableSection } from './sharing.schemas.ts';

/** GOV.UK tag classes by state; the state is always written out too, never shown by colour alone. */
const STATE_TAGS: Record<AgreementState, string> = {
  active: 'govuk-tag--green',
  'not-started': 'govuk-tag--blue',
  ended: 'govuk-tag--grey',
  revoked: 'govuk-tag--red',
};

const labelOf = (key: string) => {
  try {
    return periodLabel(parsePeriodKey(key));
  } catch {
    return key;
  }
};
const when = (d: Date) =>
  d.toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' });

export function presentAgreement(a: AgreementWithState) {
  return {
    ...a,
    stateLabel: AGREEMENT_STATE_LABELS[a.state],
    stateTag: STATE_TAGS[a.state],
    dates: `${formatDate(a.startsOn as IsoDate)} to ${formatDate(a.endsOn as IsoDate)}`,
    created: `${a.createdBy}, ${a.createdAt.toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' })}`,
    revoked: a.revokedAt
      ? `${a.revokedBy ?? ''}, ${a.revokedAt.toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' })}: ${a.revokedReason ?? ''}`
      : null,
  };
}

export function presentShare(s: ShareDetail) {
  return {
    ...s,
    levelLabel: s.joint
      ? `Joint owner (accountable officer: ${s.jointOfficer}): signs off each report before it is published`
      : s.level === 'update'
        ? 'Read, and update the milestones of actions naming them'
        : 'Read only',
    periodsText: s.periods.map((p) => p.label).join(', '),
    indicatorsText:
      s.indicators.map((i) => `${i.code} ${i.title}${i.supplied ? ' (they supply its values)' : ''}`).join(', ') ||
      'None',
    suppliedRows: s.supplied.map((e) => ({
      indicator: e.indicatorCode,
      period: labelOf(e.periodKey),
      actual: e.actual === null ? 'No value' : formatValue(e.actual, e.unit),
      by: e.by,
      organisation: e.organisation,
      at: when(e.at),
    })),
    actionsText: s.level === 'update' ? `${s.actionIds.length} chosen, and any naming them` : '',
    internalText: s.internalSections.map((k) => SECTION_LABELS[k as ShareableSection] ?? k).join(', ') || 'None',
    stateLabel: s.revokedAt ? 'Revoked' : 'Shared',
  };
}

/**
 * An agreement's history in words, oldest first: recorded, each priority shared or no longer
 * shared, revoked (with the reason), ended (on its end date). `shares` names the priority of a
 * share's later events, whose audit entries name only the share.
 */
export function presentAgreementHistory(events: AgreementHistoryEvent[], shares: ShareDetail[]) {
  const codeOf = new Map(shares.map((s) => [s.id, s.priorityCode]));
  const describe = (e: AgreementHistoryEvent): string => {
    const after = (e.after ?? {}) as Record<string, unknown>;
    if (e.entity === 'sharing_agreement') {
      if (e.action === 'create') return 'Agreement recorded';
      if (after.revoked)
        return `Revoked: ${typeof after.reason === 'string' ? after.reason : ''}. Nothing is shared under it any more.`;
      if (after.ended && typeof after.endedOn === 'string')
        return `Ended: its last day was ${formatDate(after.endedOn as IsoDate)}. Nothing is shared under it any more.`;
      return 'Agreement changed';
    }
    const code = typeof after.priority === 'string' ? after.priority : (codeOf.get(e.entityId) ?? 'A priority');
    if (e.action === 'create') return `${code} shared`;
    if (after.revoked) return `${code} no longer shared`;
    if ('actionIds' in after) return `Key actions they may update on ${code} chosen`;
    if (Array.isArray(after.internalSections)) {
      const kept = (after.internalSections as string[]).map((k) => SECTION_LABELS[k as ShareableSection] ?? k);
      return `Sections of ${code} kept internal: ${kept.join('; ') || 'none (they see every section)'}`;
    }
    return `Share of ${code} changed`;
  };
  return events.map((e) => ({ at: when(e.at), by: e.actor, what: describe(e) }));
}

/**
 * What a partner sees of a shared priority's reports, section by section, in words (a tag with its
 * text: never colour alone), with the form's choices and the sentence a confirmation says.
 */
export function presentShareSections(s: ShareSections, values: Record<string, unknown> = {}) {
  const chosen =
    values.internalSections === undefined
      ? null
      : (Array.isArray(values.internalSections) ? values.internalSections : [values.internalSections]).map(String);
  return {
    partnerName: s.agreement.partnerName,
    agreementTitle: s.agreement.title,
    live: s.live,
    version: s.share.version,
    rows: s.sections.map((x) => ({
      key: { text: x.label },
      // A tag with its words (and a data-qa naming the section): the state is never told by colour alone.
      value: {
        html: `<strong class="govuk-tag ${x.shared ? 'govuk-tag--green' : 'govuk-tag--grey'}" data-qa="section-${x.key}">${
          x.shared ? 'Shared' : 'Kept internal'
        }</strong>`,
      },
    })),
    sectionItems: s.sections.map((x) => ({
      value: x.key,
      text: x.label,
      checked: chosen ? chosen.includes(x.key) : !x.shared,
    })),
    seesText: sectionsInWords(s.sections, true, 'No section of the reports'),
    keptText: sectionsInWords(s.sections, false, 'Nothing'),
    lastChange: s.lastChange ? `${s.lastChange.actor}, ${when(s.lastChange.at)}` : undefined,
  };
}

export const presentSharedReport = presentReport;
export const presentSharedProgress = presentProgress;
export const sharedProgressFormValues = progressFormValues;
export const sharedProgressItems = progressItems;

/** The indicators a partner supplies in a shared report: each period within it, its value now, and where to enter it. */
export function presentSupplied(shareId: string, periodKey: string, supplied: SuppliedIndicator[]) {
  return supplied.map(({ indicator, unit, periods }) => ({
    code: indicator.code,
    title: indicator.title,
    periods: periods.map((p) => ({
      key: p.key,
      label: p.label,
      actual:
        p.point?.value.actual === null || p.point?.value.actual === undefined
          ? 'Not entered yet'
          : formatValue(p.point.value.actual, unit),
      href: paths.sharedWithUs.indicator(shareId, periodKey, indicator.id, p.key),
    })),
  }));
}

/** The form of one supplied value: the value now as the partner would type it, and the version read. */
export function suppliedValueForm(supplied: SuppliedIndicator, valuePeriod: string | undefined) {
  const chosen =
    supplied.periods.find((p) => p.key === valuePeriod) ??
    supplied.periods.find((p) => !p.point) ??
    supplied.periods.at(-1);
  const value = chosen?.point?.value;
  return {
    chosen,
    values: {
      period: chosen?.key ?? '',
      actual: value?.actual === null || value?.actual === undefined ? '' : formatValue(value.actual, supplied.unit),
      comment: value?.comment ?? '',
      version: String(value?.version ?? 0),
    },
    target:
      value?.target === null || value?.target === undefined ? 'None set' : formatValue(value.target, supplied.unit),
  };
}

/** The comments of a shared report, each with its author and their organisation, and the form's choices. */
export function presentConversation(c: Conversation, values: Record<string, unknown>) {
  return {
    canComment: c.canComment,
    comments: c.comments.map((x) => ({
      author: x.authorName,
      organisation: x.authorOrganisationName,
      at: when(x.createdAt),
      about: x.action ? `Key action ${x.action.number}: ${x.action.description}` : 'The report',
      body: x.body,
    })),
    actionItems: [
      { value: '', text: 'The report as a whole', selected: !values.actionId },
      ...c.actions.map((a) => ({
        value: a.id,
        text: `Key action ${a.number}: ${a.description.length > 100 ? `${a.description.slice(0, 97)}…` : a.description}`,
        selected: values.actionId === a.id,
      })),
    ],
  };
}
