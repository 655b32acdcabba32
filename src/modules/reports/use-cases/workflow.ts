// The sign-off workflow's steps (the rules are domain/report-workflow.ts): submitting a draft,
// signing it off as the priority's accountable officer then its accountable director (whose
// approval publishes it), returning it to draft with a comment, and entering a sign-off given on
// paper before Amber. Each step goes through the report's write path and tells the listeners
// (e-mail notices) inside the same unit of work.

import type { Actor } from '../../../domain/actor.ts';
import { todayIso, formatDate } from '../../../domain/dates.ts';
import { ForbiddenError, ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { parseWith } from '../../../platform/validation.ts';
import type { ReportingPeriod } from '../../periods/period.service.ts';
import type { Priority } from '../../plans/plan.service.ts';
import { decisionInput, returnInput, signOffInput, workflowInput } from '../report.schemas.ts';
import type { WorkflowResult } from '../report.types.ts';
import { accountable, type ReportContext } from './context.ts';
import { WorkflowStepError } from '../report.errors.ts';

export function workflowUseCases(ctx: ReportContext) {
  const { repo, locate, aggregate, workflowActor, eventOf, tell } = ctx;

  /** Refuses, before reading the input, whoever is neither the priority's accountable officer nor its director. */
  function requireApprover(actor: Actor, priority: Priority): void {
    if (actor.kind !== 'user' || actor.personId === undefined) {
      throw new ForbiddenError(
        'SIGN_OFF_NEEDS_A_PERSON',
        'Only a signed-in person can sign off or return a report, for themselves: nobody signs for someone else.',
      );
    }
    const who = workflowActor(actor, priority);
    if (!who.officer && !who.director)
      authorize(actor, 'report.approve-officer', { accountablePersonIds: [priority.accountableOfficer?.id] });
  }

  /** The signed-in person's sign-off, in the role the step takes it in; what the audit event records of it. */
  async function signOff(
    actor: Actor,
    priority: Priority,
    reportId: string,
    revision: number,
    role: 'accountable_officer' | 'accountable_director',
    decision: 'approved' | 'returned',
    comment: string,
  ) {
    if (actor.kind !== 'user' || actor.personId === undefined) throw new Error('a sign-off needs a signed-in person');
    await repo.insertSignOff(actor.organisationId, reportId, {
      role,
      personId: actor.personId,
      userId: actor.userId,
      decision,
      signedOn: todayIso(),
      signedAt: new Date(),
      comment,
      historical: false,
      revision,
    });
    const person = role === 'accountable_officer' ? priority.accountableOfficer : priority.accountableDirector;
    return { signOff: { role, decision, personName: person?.name ?? actor.label, comment, historical: false } };
  }

  const published = (actor: Actor) => ({
    label: actor.label,
    userId: actor.kind === 'user' ? actor.userId : null,
    personId: actor.kind === 'user' ? (actor.personId ?? null) : null,
    historical: false,
  });

  async function approve(actor: Actor, code: string, periodKey: string, input: unknown): Promise<WorkflowResult> {
    const { priority, period } = await locate(actor, code, periodKey);
    requireApprover(actor, priority);
    const v = parseWith(workflowInput, input);
    const result = await aggregate.change(actor, priority, period, {
      step: 'approve',
      version: v.version,
      what: 'approved',
      content: false,
      who: () => workflowActor(actor, priority),
      publishedBy: published(actor),
      apply: async (before, decision) => {
        // The director's approval publishes: a joint priority's other owners must have signed first.
        if (decision.signOff === 'accountable_director' && ctx.joint) {
          const pending = await ctx.joint.pending(actor, priority.id, before.id, before.revision);
          if (pending.length > 0)
            throw new WorkflowStepError(
              `This priority is owned jointly: ${pending.join(' and ')} must sign off revision ${before.revision} before it can be published. Nothing has been changed.`,
            );
        }
        return signOff(actor, priority, before.id, before.revision, decision.signOff!, 'approved', v.comment);
      },
    });
    const event = eventOf(actor, result.id, priority, period, v.comment || undefined);
    if (result.state === 'published') await tell('reportPublished', event);
    else await tell('reportOfficerApproved', event);
    return stripReport(result);
  }

  async function returnToDraft(actor: Actor, code: string, periodKey: string, input: unknown): Promise<WorkflowResult> {
    const { priority, period } = await locate(actor, code, periodKey);
    requireApprover(actor, priority);
    const v = parseWith(returnInput, input);
    const result = await aggregate.change(actor, priority, period, {
      step: 'return',
      version: v.version,
      what: 'returned to draft',
      content: false,
      comment: v.comment,
      who: () => workflowActor(actor, priority),
      apply: (before, decision) =>
        signOff(actor, priority, before.id, before.revision, decision.signOff!, 'returned', v.comment),
    });
    await tell('reportReturned', eventOf(actor, result.id, priority, period, v.comment));
    return stripReport(result);
  }

  return {
    /** Submits a draft for sign-off. A status marked "comment required" needs its reason first. */
    async submit(actor: Actor, code: string, periodKey: string, input: unknown): Promise<WorkflowResult> {
      const { priority, period } = await locate(actor, code, periodKey);
      authorize(actor, 'report.submit', accountable(priority));
      const v = parseWith(workflowInput, input);
      const result = await aggregate.change(actor, priority, period, {
        step: 'submit',
        version: v.version,
        what: 'submitted for sign-off',
        content: false,
        who: () => workflowActor(actor, priority),
      });
      await tell('reportSubmitted', eventOf(actor, result.id, priority, period, v.comment || undefined));
      return stripReport(result);
    },

    /**
     * Signs the report off as the signed-in person: the priority's accountable officer when it is
     * submitted, then its accountable director, whose approval publishes it.
     */
    approve,

    /** Returns a report waiting for sign-off to draft, with the comment saying what to change. */
    returnToDraft,

    /** The sign-off page's one form: approve, or return with a comment. */
    async decide(actor: Actor, code: string, periodKey: string, input: unknown): Promise<WorkflowResult> {
      const { priority } = await locate(actor, code, periodKey);
      requireApprover(actor, priority);
      const v = parseWith(decisionInput, input);
      return v.decision === 'approve' ? approve(actor, code, periodKey, v) : returnToDraft(actor, code, periodKey, v);
    },

    /**
     * Enters a sign-off given on paper before Amber (the demo's 2009 sign-offs), shown as a
     * historical record. Only the system may (the demo loader, an import at the machine): a
     * signed-in person signs for themselves with `approve`. The director's approval publishes.
     */
    async recordHistoricalSignOff(
      actor: Actor,
      code: string,
      periodKey: string,
      input: unknown,
    ): Promise<WorkflowResult> {
      if (actor.kind !== 'system')
        throw new ForbiddenError(
          'SIGN_OFF_NEEDS_A_PERSON',
          'A sign-off cannot be entered on someone’s behalf: the person signs it off themselves.',
        );
      const v = parseWith(signOffInput, input);
      const today = todayIso();
      if (v.signedOn > today)
        throw ValidationError.single(
          'signedOn',
          `The date it was signed off must be today (${formatDate(today)}) or earlier`,
        );
      const { priority, period } = await locate(actor, code, periodKey);
      const personName = await repo.personName(actor.organisationId, v.personId);
      if (personName === undefined) throw ValidationError.single('personId', 'Select who signed it off from the list');
      const result = await aggregate.change(actor, priority, period as ReportingPeriod, {
        step: { historical: { role: v.role, decision: v.decision } },
        version: v.version,
        what: `historical sign-off ${v.role} entered`,
        content: false,
        who: () => workflowActor(actor, priority),
        publishedBy: { label: actor.label, userId: null, personId: null, historical: true },
        apply: async (before) => {
          await repo.insertSignOff(actor.organisationId, before.id, {
            ...v,
            historical: true,
            userId: null,
            signedAt: null,
            revision: before.revision,
          });
          return { signOff: { role: v.role, decision: v.decision, personName, comment: v.comment, historical: true } };
        },
      });
      return stripReport(result);
    },
  };
}

/** A step's result, without the report a content edit carries. */
function stripReport(r: WorkflowResult & { report?: unknown }): WorkflowResult {
  const { report: _r, ...result } = r;
  return result;
}
