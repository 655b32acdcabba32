// A status that needs approval by a named role (issue 13): the sign-off that publishes the report
// must be given by someone holding that role; nothing else in the workflow changes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, nextSteps, type WorkflowActor, type WorkflowReport } from './report-workflow.ts';

const director: WorkflowActor = {
  person: true,
  edit: false,
  submit: false,
  officer: false,
  director: true,
  roles: ['accountable_director'],
};
const officer: WorkflowActor = { ...director, officer: true, director: false, roles: ['accountable_officer'] };
const report = (state: WorkflowReport['state'], approvalRole: WorkflowReport['approvalRole']): WorkflowReport => ({
  state,
  statusChosen: true,
  reasonMissing: false,
  statusLabel: 'Completed',
  approvalRole,
});

describe('a status that needs approval by a role', () => {
  it('refuses the publishing sign-off of a director who does not hold the role, saying which role', () => {
    const d = decide('approve', report('officer_approved', 'performance_officer'), director);
    assert.equal(d.allowed, false);
    assert.equal(!d.allowed && d.reason, 'needs-approval');
    assert.match(
      !d.allowed ? d.message : '',
      /^The status Completed needs approval by a performance officer: the sign-off that publishes this report must be given by someone holding that role\./,
    );
  });
  it('publishes with the sign-off of a director who holds the role', () => {
    const d = decide('approve', report('officer_approved', 'performance_officer'), {
      ...director,
      roles: ['accountable_director', 'performance_officer'],
    });
    assert.deepEqual(d, { allowed: true, to: 'published', opensRevision: false, signOff: 'accountable_director' });
  });
  it('publishes with any director’s sign-off when the role needed is the director’s own', () => {
    assert.equal(decide('approve', report('officer_approved', 'accountable_director'), director).allowed, true);
  });
  it('leaves the officer’s first sign-off and returns as they were', () => {
    assert.equal(decide('approve', report('submitted', 'administrator'), officer).allowed, true);
    assert.equal(
      decide('return', report('officer_approved', 'administrator'), director, 'Choose another').allowed,
      true,
    );
  });
  it('does not offer the director the sign-off it would refuse, but still offers the return', () => {
    assert.deepEqual(nextSteps(report('officer_approved', 'administrator'), director), ['return']);
    assert.deepEqual(nextSteps(report('officer_approved', null), director), ['approve', 'return']);
  });
});
