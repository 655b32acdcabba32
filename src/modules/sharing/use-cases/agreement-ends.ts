// An agreement reaching its end date, written into the history (issue 11: "when it ends or is
// revoked, access ends at once, and the history says so"). The database ends access by the dates
// by itself (`amber_enter_organisation()`), so nothing happens at the moment an agreement ends;
// this use case, run by the scheduled tick every instance runs (reminders/reminder.scheduler.ts),
// writes the "ended" event afterwards, once per agreement, dated by the agreement's end date.
//
// As revocation is: one event in the sharing organisation's trail, on the agreement (its shares
// end with it and get none, as they get none when the agreement is revoked), and no message to the
// partner (revocation sends none either). An agreement revoked before its end date has its end in
// the history already and gets no "ended" event.

import type { SharingContext } from './context.ts';

/** Who an "ended" event names as its actor: nobody did it, the date came. */
export const AGREEMENT_END_ACTOR = 'Amber (the agreement’s end date passed)';

export function agreementEndUseCases(ctx: SharingContext) {
  const { repo, today } = ctx;
  return {
    /**
     * Writes an "ended" audit event for every agreement, of any organisation, whose last day was
     * before today (UK) and whose end is not in the history yet; returns how many. Safe to run
     * in every instance at once and again and again: each end is written once.
     */
    async recordEndedAgreements(on: string = today()): Promise<number> {
      const ended = await repo.markEndsRecorded(on, new Date());
      for (const a of ended)
        await repo.audit({
          organisationId: a.organisationId,
          actor: AGREEMENT_END_ACTOR,
          entity: 'sharing_agreement',
          entityId: a.id,
          action: 'update',
          before: { endedOn: null },
          after: { ended: true, endedOn: a.endsOn },
        });
      return ended.length;
    },
  };
}

export type AgreementEndUseCases = ReturnType<typeof agreementEndUseCases>;
