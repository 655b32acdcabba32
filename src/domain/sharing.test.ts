import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agreementState, periodsWithin, ukToday } from './sharing.ts';

describe('data-sharing agreements', () => {
  const a = { startsOn: '2026-04-01', endsOn: '2027-03-31', revokedAt: null };
  it('is active from its first day to its last, inclusive', () => {
    assert.equal(agreementState(a, '2026-03-31'), 'not-started');
    assert.equal(agreementState(a, '2026-04-01'), 'active');
    assert.equal(agreementState(a, '2027-03-31'), 'active');
    assert.equal(agreementState(a, '2027-04-01'), 'ended');
  });
  it('shares nothing once revoked, whatever its dates', () => {
    assert.equal(agreementState({ ...a, revokedAt: new Date() }, '2026-06-01'), 'revoked');
  });
  it('counts days in UK time: 23:30 UTC on 31 March in British Summer Time is already 1 April', () => {
    assert.equal(ukToday(new Date('2027-03-31T23:30:00Z')), '2027-04-01');
    assert.equal(ukToday(new Date('2027-01-31T23:30:00Z')), '2027-01-31');
  });
  it('lets a partner supply the periods of an indicator’s kind that lie within a shared period, oldest first', () => {
    const p = (key: string, kind: string, startsOn: string, endsOn: string) => ({ key, kind, startsOn, endsOn });
    const periods = [
      p('2009-10-q2', 'quarter', '2009-07-01', '2009-09-30'),
      p('2009-10-q3', 'quarter', '2009-10-01', '2009-12-31'),
      p('2009-10-q1', 'quarter', '2009-04-01', '2009-06-30'),
      p('2009-10-h1', 'half', '2009-04-01', '2009-09-30'),
      p('2009-10', 'year', '2009-04-01', '2010-03-31'),
    ];
    const h1 = { startsOn: '2009-04-01', endsOn: '2009-09-30' };
    assert.deepEqual(
      periodsWithin(h1, 'quarter', periods).map((x) => x.key),
      ['2009-10-q1', '2009-10-q2'],
    );
    assert.deepEqual(
      periodsWithin(h1, 'half', periods).map((x) => x.key),
      ['2009-10-h1'],
    );
    // A year does not lie within its first half: an annual indicator has nothing to supply for a half-year.
    assert.deepEqual(periodsWithin(h1, 'year', periods), []);
  });
});
