// Qualifying savings of a test's own: the demo's programme realises a few thousand pounds
// (illustrative, within its opportunity: issue 13), so a test of gain-share tranches at, say,
// £250,000 adds the rest itself, as a realised, verified, additional saving of the consolidation.

import type { Services } from '../../src/composition.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Money } from '../../src/domain/diagnostic/money.ts';

/** Brings the exercise's qualifying savings to `target` (pence) with one saving; returns what it added. */
export async function topUpQualifying(
  services: Services,
  actor: Actor,
  exerciseId: string,
  target: Money | number,
  financialYear = '2011/12',
): Promise<number> {
  const { totals, opportunities } = await services.efficiency.savings(actor, exerciseId);
  const missing = Number(target) - Number(totals.qualifying);
  if (missing < 0) throw new Error(`the exercise qualifies for ${totals.qualifying} pence already, above ${target}`);
  if (missing === 0) return 0;
  const saving = await services.efficiency.createSaving(actor, exerciseId, {
    opportunityId: opportunities[0]!.id,
    financialYear,
    stage: 'realised',
    amount: `£${(missing / 100).toFixed(2)}`,
    cashable: 'yes',
    recurring: 'yes',
    additional: 'yes',
  });
  await services.efficiency.verifySaving(actor, exerciseId, saving.id, { version: String(saving.version) });
  return missing;
}
