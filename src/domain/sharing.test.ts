import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agreementState, ukToday } from './sharing.ts';

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
});
