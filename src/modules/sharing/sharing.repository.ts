// All SQL about data-sharing agreements and shared priorities (issue 11). Row-level security
// decides what the acting organisation sees: its own agreements and shares, and those made with it.

import { sql, type Kysely, type Selectable } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { DB } from '../../schema.ts';
import type { SharingAgreementTable, PrioritySharesTable } from '../../schema/sharing.ts';

export interface Agreement {
  id: string;
  organisationId: string;
  organisationName: string;
  partnerId: string;
  partnerName: string;
  partnerRecordId: string | null;
  title: string;
  purpose: string;
  dataShared: string;
  legalBasis: string;
  startsOn: string;
  endsOn: string;
  signatories: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokedReason: string | null;
  version: number;
}

export interface Share {
  id: string;
  organisationId: string;
  agreementId: string;
  priorityId: string;
  priorityCode: string;
  priorityTitle: string;
  level: 'read' | 'update';
  periodIds: string[];
  indicatorIds: string[];
  /** The shared indicators whose values the partner enters (an update share only). */
  suppliedIndicatorIds: string[];
  /** Key actions the partner may update besides those naming it. */
  actionIds: string[];
  internalSections: string[];
  joint: boolean;
  jointOfficer: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  version: number;
}

/** A comment on a shared report: who wrote it, from which organisation, and about which key action (if one). */
export interface SharedComment {
  id: string;
  actionId: string | null;
  authorName: string;
  authorOrganisationId: string;
  authorOrganisationName: string;
  body: string;
  createdAt: Date;
}

const toAgreement = (
  r: Selectable<SharingAgreementTable> & { organisation_name: string; partner_name: string },
): Agreement => ({
  id: r.id,
  organisationId: r.organisation_id,
  organisationName: r.organisation_name,
  partnerId: r.partner_id,
  partnerName: r.partner_name,
  partnerRecordId: r.partner_record_id,
  title: r.title,
  purpose: r.purpose,
  dataShared: r.data_shared,
  legalBasis: r.legal_basis,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  signatories: r.signatories,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
  revokedReason: r.revoked_reason,
  version: r.version,
});

const toShare = (r: Selectable<PrioritySharesTable> & { priority_code: string; priority_title: string }): Share => ({
  id: r.id,
  organisationId: r.organisation_id,
  agreementId: r.agreement_id,
  priorityId: r.priority_id,
  priorityCode: r.priority_code,
  priorityTitle: r.priority_title,
  level: r.level,
  periodIds: r.period_ids,
  indicatorIds: r.indicator_ids,
  suppliedIndicatorIds: r.supplied_indicator_ids,
  actionIds: r.action_ids,
  internalSections: r.internal_sections,
  joint: r.joint,
  jointOfficer: r.joint_officer,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
  version: r.version,
});

/** A joint owner of a priority with its sign-off of one revision (if any), as `jointOwners` reads it. */
export interface JointOwnerRow {
  shareId: string;
  partnerId: string;
  partnerName: string;
  officer: string;
  signedBy: string | null;
  signedAt: Date | null;
  decision: 'approved' | 'returned' | null;
  comment: string | null;
}

export function createSharingRepository(db: Kysely<DB>) {
  const agreements = () =>
    db
      .selectFrom('sharing_agreement as a')
      .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
      .innerJoin('organisation as p', 'p.id', 'a.partner_id')
      .selectAll('a')
      .select(['o.name as organisation_name', 'p.name as partner_name']);
  const shares = () =>
    db
      .selectFrom('priority_share as s')
      .innerJoin('priority as pr', 'pr.id', 's.priority_id')
      .selectAll('s')
      .select(['pr.code as priority_code', 'pr.title as priority_title']);

  /** `sharesOfReport`'s statement, built and compiled once (`reusable-query.ts`): every report page reads it. */
  const sharesOfReportQuery = reusableQuery(
    (p: { organisationId: string; priorityId: string; periodId: string; reportId: string }) =>
      db
        .selectFrom('priority_share as s')
        .innerJoin('sharing_agreement as a', 'a.id', 's.agreement_id')
        .innerJoin('organisation as p', 'p.id', 'a.partner_id')
        .innerJoin('priority as pr', 'pr.id', 's.priority_id')
        .leftJoin('shared_comment as c', (c) => c.onRef('c.share_id', '=', 's.id').on('c.report_id', '=', p.reportId))
        .select((eb) => [
          's.id as shareId',
          'p.name as partnerName',
          's.revoked_at as shareRevokedAt',
          'a.starts_on as startsOn',
          'a.ends_on as endsOn',
          'a.revoked_at as agreementRevokedAt',
          'pr.accountable_officer_id as officerId',
          'pr.accountable_director_id as directorId',
          eb.fn.count<string>('c.id').as('comments'),
        ])
        .where('s.organisation_id', '=', p.organisationId)
        .where('s.priority_id', '=', p.priorityId)
        .where(sql<boolean>`${p.periodId}::uuid = any(s.period_ids)`)
        .groupBy([
          's.id',
          'p.name',
          's.revoked_at',
          'a.starts_on',
          'a.ends_on',
          'a.revoked_at',
          's.created_at',
          'pr.accountable_officer_id',
          'pr.accountable_director_id',
        ])
        .orderBy('p.name')
        .orderBy('s.created_at'),
  );

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    /** Agreements the organisation made, newest first. */
    async listAgreements(organisationId: string): Promise<Agreement[]> {
      const rows = await agreements()
        .where('a.organisation_id', '=', organisationId)
        .orderBy('a.created_at', 'desc')
        .execute();
      return rows.map(toAgreement);
    },
    async findAgreement(organisationId: string, id: string): Promise<Agreement | undefined> {
      const r = await agreements()
        .where('a.organisation_id', '=', organisationId)
        .where('a.id', '=', id)
        .executeTakeFirst();
      return r && toAgreement(r);
    },
    async insertAgreement(v: {
      organisationId: string;
      partnerId: string;
      partnerRecordId: string | null;
      title: string;
      purpose: string;
      dataShared: string;
      legalBasis: string;
      startsOn: string;
      endsOn: string;
      signatories: string;
      createdBy: string;
    }): Promise<string> {
      const r = await db
        .insertInto('sharing_agreement')
        .values({
          organisation_id: v.organisationId,
          partner_id: v.partnerId,
          partner_record_id: v.partnerRecordId,
          title: v.title,
          purpose: v.purpose,
          data_shared: v.dataShared,
          legal_basis: v.legalBasis,
          starts_on: v.startsOn,
          ends_on: v.endsOn,
          signatories: v.signatories,
          created_by: v.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    /** Revokes it if it is still at `version` and not revoked; false otherwise. */
    async revokeAgreement(id: string, version: number, by: string, reason: string, at: Date): Promise<boolean> {
      const r = await db
        .updateTable('sharing_agreement')
        .set((eb) => ({ revoked_at: at, revoked_by: by, revoked_reason: reason, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', version)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * Agreements of every organisation whose last day is before `today` (a UK date), not revoked
     * and whose end is not recorded yet: marked recorded `at` and returned, so the caller writes
     * each one's audit event in the same transaction. Each is returned to one transaction only,
     * however many instances run this at once: a row another holds is skipped (`skip locked`),
     * and the update takes it only while `end_recorded_at` is still null (migration 2026-12-11-300).
     * One statement: the locking CTE and the update that returns what it took.
     */
    async markEndsRecorded(today: string, at: Date): Promise<{ id: string; organisationId: string; endsOn: string }[]> {
      const { rows } = await sql<{ id: string; organisation_id: string; ends_on: string }>`
        with due as (
          select id from sharing_agreement
          where ends_on < ${today}::date and revoked_at is null and end_recorded_at is null
          order by id
          for update skip locked)
        update sharing_agreement a set end_recorded_at = ${at}
        from due where a.id = due.id and a.end_recorded_at is null
        returning a.id, a.organisation_id, to_char(a.ends_on, 'YYYY-MM-DD') as ends_on`.execute(db);
      return rows
        .map((r) => ({ id: r.id, organisationId: r.organisation_id, endsOn: r.ends_on }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    /**
     * The audit trail of one agreement and the shares made under it, oldest first: what its page
     * shows as its history (recorded, shared, revoked, ended).
     */
    async agreementHistory(
      organisationId: string,
      agreementId: string,
    ): Promise<
      { entity: string; entityId: string; action: string; actor: string; at: Date; before: unknown; after: unknown }[]
    > {
      const rows = await db
        .selectFrom('audit_event')
        .select(['entity', 'entity_id', 'action', 'actor', 'occurred_at', 'before', 'after'])
        .where('organisation_id', '=', organisationId)
        .where((eb) =>
          eb.or([
            eb.and([eb('entity', '=', 'sharing_agreement'), eb('entity_id', '=', agreementId)]),
            eb.and([
              eb('entity', '=', 'priority_share'),
              eb(
                'entity_id',
                'in',
                eb
                  .selectFrom('priority_share')
                  .select('priority_share.id')
                  .where('priority_share.agreement_id', '=', agreementId),
              ),
            ]),
          ]),
        )
        .orderBy('occurred_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        entity: r.entity,
        entityId: r.entity_id,
        action: r.action,
        actor: r.actor,
        at: r.occurred_at,
        before: r.before,
        after: r.after,
      }));
    },

    async listShares(organisationId: string, agreementId: string): Promise<Share[]> {
      const rows = await shares()
        .where('s.organisation_id', '=', organisationId)
        .where('s.agreement_id', '=', agreementId)
        .orderBy('s.created_at')
        .execute();
      return rows.map(toShare);
    },
    async findShare(organisationId: string, id: string): Promise<Share | undefined> {
      const r = await shares()
        .where('s.organisation_id', '=', organisationId)
        .where('s.id', '=', id)
        .executeTakeFirst();
      return r && toShare(r);
    },
    async insertShare(v: {
      organisationId: string;
      agreementId: string;
      priorityId: string;
      level: 'read' | 'update';
      periodIds: string[];
      indicatorIds: string[];
      suppliedIndicatorIds: string[];
      internalSections: string[];
      joint: boolean;
      jointOfficer: string;
      createdBy: string;
    }): Promise<string | undefined> {
      const r = await db
        .insertInto('priority_share')
        .values({
          organisation_id: v.organisationId,
          agreement_id: v.agreementId,
          priority_id: v.priorityId,
          level: v.level,
          period_ids: v.periodIds,
          indicator_ids: v.indicatorIds,
          supplied_indicator_ids: v.suppliedIndicatorIds,
          internal_sections: v.internalSections,
          joint: v.joint,
          joint_officer: v.jointOfficer,
          created_by: v.createdBy,
        })
        .onConflict((oc) => oc.columns(['agreement_id', 'priority_id']).where('revoked_at', 'is', null).doNothing())
        .returning('id')
        .executeTakeFirst();
      return r?.id;
    },
    /**
     * Sets the sections of the share's reports kept from the partner, if the share is still at
     * `version` and live. The partner reads through `priority_share` at its next request, and the
     * access generation moves on (migration 2026-12-09-100), so no kept page shows the old sections.
     */
    async setInternalSections(id: string, version: number, sections: string[]): Promise<boolean> {
      const r = await db
        .updateTable('priority_share')
        .set((eb) => ({ internal_sections: sections, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', version)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** The last change of the share's sections kept internal (from its audit trail): who, and when. */
    async lastSectionsChange(
      organisationId: string,
      shareId: string,
    ): Promise<{ actor: string; at: Date } | undefined> {
      const r = await db
        .selectFrom('audit_event')
        .select(['actor', 'occurred_at'])
        .where('organisation_id', '=', organisationId)
        .where('entity', '=', 'priority_share')
        .where('entity_id', '=', shareId)
        .where(sql<boolean>`after ? 'internalSections'`)
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r && { actor: r.actor, at: r.occurred_at };
    },
    /** Sets the key actions the partner may update, if the share is still at `version` and live. */
    async setShareActions(id: string, version: number, actionIds: string[]): Promise<boolean> {
      const r = await db
        .updateTable('priority_share')
        .set((eb) => ({ action_ids: actionIds, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', version)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async revokeShare(id: string, version: number, by: string, at: Date): Promise<boolean> {
      const r = await db
        .updateTable('priority_share')
        .set((eb) => ({ revoked_at: at, revoked_by: by, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', version)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * What is shared with the acting organisation now (the database's own answer, under its
     * row-level security: an ended or revoked agreement shares nothing).
     */
    async sharedWithMe(): Promise<
      {
        shareId: string;
        ownerId: string;
        ownerName: string;
        ownerSlug: string | null;
        priorityId: string;
        priorityCode: string;
        priorityTitle: string;
        level: 'read' | 'update';
        periodIds: string[];
        indicatorIds: string[];
        suppliedIndicatorIds: string[];
        internalSections: string[];
        joint: boolean;
        jointOfficer: string;
        partnerRecordId: string | null;
        agreementTitle: string;
        endsOn: string;
      }[]
    > {
      const { rows } = await sql<{
        share_id: string;
        owner_id: string;
        owner_name: string;
        owner_slug: string | null;
        priority_id: string;
        priority_code: string;
        priority_title: string;
        level: 'read' | 'update';
        period_ids: string[];
        indicator_ids: string[];
        supplied_indicator_ids: string[];
        internal_sections: string[];
        joint: boolean;
        joint_officer: string;
        partner_record_id: string | null;
        agreement_title: string;
        ends_on: string;
      }>`
        select s.share_id, s.owner_id, o.name as owner_name, o.slug as owner_slug, s.priority_id,
               p.code as priority_code, p.title as priority_title, s.level, s.period_ids, s.indicator_ids,
               ps.supplied_indicator_ids, ps.internal_sections, ps.joint, ps.joint_officer, s.partner_record_id, a.title as agreement_title, a.ends_on
        from amber_shared_with_me() s
        join organisation o on o.id = s.owner_id
        join priority p on p.id = s.priority_id
        join priority_share ps on ps.id = s.share_id
        join sharing_agreement a on a.id = ps.agreement_id
        order by o.name, p.code`.execute(db);
      return rows.map((r) => ({
        shareId: r.share_id,
        ownerId: r.owner_id,
        ownerName: r.owner_name,
        ownerSlug: r.owner_slug,
        priorityId: r.priority_id,
        priorityCode: r.priority_code,
        priorityTitle: r.priority_title,
        level: r.level,
        periodIds: r.period_ids,
        indicatorIds: r.indicator_ids,
        suppliedIndicatorIds: r.supplied_indicator_ids,
        internalSections: r.internal_sections,
        joint: r.joint,
        jointOfficer: r.joint_officer,
        partnerRecordId: r.partner_record_id,
        agreementTitle: r.agreement_title,
        endsOn: typeof r.ends_on === 'string' ? r.ends_on : String(r.ends_on),
      }));
    },
    /** Key actions the acting (partner) organisation may update now: the database's own answer. */
    async partnerActionIds(): Promise<Set<string>> {
      const { rows } = await sql<{ id: string }>`select unnest(amber_ids('amber.partner_actions')) as id`.execute(db);
      return new Set(rows.map((r) => r.id));
    },
    /**
     * The priority's joint owners now (live joint shares under active agreements), with the
     * sign-off each gave the report's revision, if any. The same answer for the owner and for each
     * joint owner (amber_joint_owners names them to those only; the joint_owners_reads policy shows a
     * joint owner the others' sign-offs); nobody else gets any.
     */
    async jointOwners(
      organisationId: string,
      priorityId: string,
      reportId: string,
      revision: number,
    ): Promise<JointOwnerRow[]> {
      const { rows } =
        await sql<JointOwnerRow>`select o.share_id as "shareId", o.partner_id as "partnerId", o.partner_name as "partnerName",
                o.officer, j.signed_by as "signedBy", j.signed_at as "signedAt", j.decision, j.comment
         from amber_joint_owners(${priorityId}) o
         left join joint_sign_off j on j.share_id = o.share_id and j.report_id = ${reportId} and j.revision = ${revision}
         where o.owner_id = ${organisationId}
         order by o.partner_name`.execute(db);
      return rows.map((r) => ({ ...r, signedAt: r.signedAt === null ? null : new Date(r.signedAt) }));
    },
    /** The acting (partner) organisation's own sign-offs of a report's revision. */
    async ownJointSignOffs(reportId: string, revision: number): Promise<{ signedBy: string }[]> {
      return db
        .selectFrom('joint_sign_off')
        .select('signed_by as signedBy')
        .where('report_id', '=', reportId)
        .where('revision', '=', revision)
        .where('partner_id', '=', sql<string>`amber_organisation()`)
        .execute();
    },
    async insertJointSignOff(v: {
      organisationId: string;
      shareId: string;
      reportId: string;
      revision: number;
      partnerId: string;
      comment: string;
      signedBy: string;
      /** A sign-off given on paper: when it was given (else now). */
      signedAt?: Date;
    }): Promise<boolean> {
      const r = await db
        .insertInto('joint_sign_off')
        .values({
          organisation_id: v.organisationId,
          share_id: v.shareId,
          report_id: v.reportId,
          revision: v.revision,
          partner_id: v.partnerId,
          decision: 'approved',
          comment: v.comment,
          signed_by: v.signedBy,
          ...(v.signedAt ? { signed_at: v.signedAt } : {}),
        })
        .onConflict((oc) => oc.columns(['report_id', 'revision', 'partner_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    /**
     * Values the share's partner entered in the owner's supplied indicators, newest first: the audit
     * events the indicators module wrote for them (each names the supplier organisation).
     */
    async suppliedEntries(
      organisationId: string,
      shareId: string,
      indicatorIds: string[],
    ): Promise<
      { indicatorCode: string; periodKey: string; actual: number | null; by: string; organisation: string; at: Date }[]
    > {
      if (indicatorIds.length === 0) return [];
      const { rows } = await sql<{
        code: string;
        period_key: string | null;
        actual: string | null;
        actor: string;
        organisation: string | null;
        occurred_at: Date;
      }>`
        select i.code, e.after->>'periodKey' as period_key, e.after->>'actual' as actual, e.actor,
               e.after->'supplier'->>'name' as organisation, e.occurred_at
        from audit_event e join indicator i on i.id = e.entity_id
        where e.organisation_id = ${organisationId} and e.entity = 'indicator_value'
          and e.entity_id = any(${indicatorIds}::uuid[])
          and e.after->'supplier'->>'organisationId' = (
            select a.partner_id::text from priority_share s join sharing_agreement a on a.id = s.agreement_id
            where s.id = ${shareId} and s.organisation_id = ${organisationId})
        order by e.occurred_at desc, e.id desc
        limit 50`.execute(db);
      return rows.map((r) => ({
        indicatorCode: r.code,
        periodKey: r.period_key ?? '',
        actual: r.actual === null ? null : Number(r.actual),
        by: r.actor,
        organisation: r.organisation ?? '',
        at: r.occurred_at,
      }));
    },
    /** Writes a comment on a shared report (the owner's row, whichever organisation writes it). */
    async insertComment(v: {
      organisationId: string;
      shareId: string;
      reportId: string;
      actionId: string | null;
      authorOrganisationId: string;
      authorOrganisationName: string;
      authorName: string;
      body: string;
    }): Promise<string> {
      const r = await db
        .insertInto('shared_comment')
        .values({
          organisation_id: v.organisationId,
          share_id: v.shareId,
          report_id: v.reportId,
          action_id: v.actionId,
          author_organisation_id: v.authorOrganisationId,
          author_organisation_name: v.authorOrganisationName,
          author_name: v.authorName,
          body: v.body,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    /**
     * The organisation's shares of a priority that cover a period (live or not), each with its
     * partner's name, its agreement's dates and how many comments the two exchanged on the
     * period's report: the owner's report page links to each conversation. One statement.
     */
    async sharesOfReport(
      organisationId: string,
      priorityId: string,
      periodId: string,
      reportId: string,
    ): Promise<
      {
        shareId: string;
        partnerName: string;
        shareRevokedAt: Date | null;
        agreement: { startsOn: string; endsOn: string; revokedAt: Date | null };
        comments: number;
        /** The priority's accountable officer and director (who, beside the performance officer, edit its reports). */
        accountablePersonIds: (string | null)[];
      }[]
    > {
      const { rows } = await db.executeQuery(sharesOfReportQuery({ organisationId, priorityId, periodId, reportId }));
      return rows.map((r) => ({
        shareId: r.shareId,
        partnerName: r.partnerName,
        shareRevokedAt: r.shareRevokedAt,
        agreement: { startsOn: r.startsOn, endsOn: r.endsOn, revokedAt: r.agreementRevokedAt },
        comments: Number(r.comments),
        accountablePersonIds: [r.officerId, r.directorId],
      }));
    },
    /** The comments on a shared report, oldest first (row-level security: the owner's, or a partner's live share's). */
    async listComments(shareId: string, reportId: string): Promise<SharedComment[]> {
      const rows = await db
        .selectFrom('shared_comment')
        .selectAll()
        .where('share_id', '=', shareId)
        .where('report_id', '=', reportId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        actionId: r.action_id,
        authorName: r.author_name,
        authorOrganisationId: r.author_organisation_id,
        authorOrganisationName: r.author_organisation_name,
        body: r.body,
        createdAt: r.created_at,
      }));
    },
    async partnerRecordBelongs(organisationId: string, id: string): Promise<boolean> {
      const r = await db
        .selectFrom('organisation')
        .select('id')
        .where('id', '=', id)
        .where('managed_by_id', '=', organisationId)
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}

export type SharingRepository = ReturnType<typeof createSharingRepository>;
