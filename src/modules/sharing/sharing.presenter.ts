// Sharing pages' view models (issue 11): agreements with their state in words, shares in words,
// and a shared report through the reports' own presenter.

import { formatDate, type IsoDate } from '../../domain/dates.ts';
import { AGREEMENT_STATE_LABELS, type AgreementState } from '../../domain/sharing.ts';
import { presentReport, presentProgress, progressFormValues, progressItems } from '../reports/report.presenter.ts';
import type { AgreementWithState, ShareDetail } from './sharing.service.ts';
import { SECTION_LABELS, type ShareableSection } from './sharing.schemas.ts';

/** GOV.UK tag classes by state; the state is always written out too, never shown by colour alone. */
const STATE_TAGS: Record<AgreementState, string> = {
  active: 'govuk-tag--green',
  'not-started': 'govuk-tag--blue',
  ended: 'govuk-tag--grey',
  revoked: 'govuk-tag--red',
};

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
    indicatorsText: s.indicators.map((i) => `${i.code} ${i.title}`).join(', ') || 'None',
    actionsText: s.level === 'update' ? `${s.actionIds.length} chosen, and any naming them` : '',
    internalText: s.internalSections.map((k) => SECTION_LABELS[k as ShareableSection] ?? k).join(', ') || 'None',
    stateLabel: s.revokedAt ? 'Revoked' : 'Shared',
  };
}

export const presentSharedReport = presentReport;
export const presentSharedProgress = presentProgress;
export const sharedProgressFormValues = progressFormValues;
export const sharedProgressItems = progressItems;
