// Whether a data-sharing agreement lets anything be shared today (issue 11). The database applies
// the same rule itself (`amber_shared_with_me()`, in UK time); this is how pages say it.

export type AgreementState = 'active' | 'not-started' | 'ended' | 'revoked';

export const AGREEMENT_STATE_LABELS: Record<AgreementState, string> = {
  active: 'Active',
  'not-started': 'Not started yet',
  ended: 'Ended',
  revoked: 'Revoked',
};

/** Dates are ISO `YYYY-MM-DD`, compared as text; an agreement is active from its first to its last day. */
export function agreementState(
  a: { startsOn: string; endsOn: string; revokedAt: Date | null },
  today: string,
): AgreementState {
  if (a.revokedAt) return 'revoked';
  if (today < a.startsOn) return 'not-started';
  if (today > a.endsOn) return 'ended';
  return 'active';
}

/**
 * Made once: building an Intl.DateTimeFormat costs ~0.1 ms, and the report page asks for a UK day
 * on every request (the largest function of the app's own in its CPU profile, bench/README.md).
 */
const UK_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in the UK (agreements start and end on UK days, whatever the server's time zone). */
export function ukToday(now = new Date()): string {
  return UK_DAY.format(now);
}

/**
 * The periods of one kind that lie within a shared period, oldest first: those a partner may enter
 * an indicator's values for (a quarterly indicator in a half-year report: its two quarters).
 */
export function periodsWithin<P extends { kind: string; startsOn: string; endsOn: string }>(
  shared: { startsOn: string; endsOn: string },
  kind: string,
  periods: readonly P[],
): P[] {
  return periods
    .filter((p) => p.kind === kind && p.startsOn >= shared.startsOn && p.endsOn <= shared.endsOn)
    .sort((a, b) => (a.startsOn < b.startsOn ? -1 : a.startsOn > b.startsOn ? 1 : 0));
}
