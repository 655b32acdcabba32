// All SQL about people: named officers of the organisation and of its partners.

import type { Kysely } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { DB } from '../../schema.ts';

export interface Person {
  id: string;
  name: string;
  jobTitle: string;
  employerId: string;
  employerName: string;
  email: string | null;
  /** Bumped by every change: a write names the version it read. */
  version: number;
}

export interface PersonValues {
  name: string;
  jobTitle: string;
  employerId: string;
  email: string | null;
}

function personQueries(db: Kysely<DB>) {
  const base = (organisationId: string) =>
    db
      .selectFrom('person')
      .innerJoin('organisation as employer', 'employer.id', 'person.employer_id')
      .select([
        'person.id',
        'person.name',
        'person.job_title',
        'person.employer_id',
        'person.email',
        'employer.name as employer_name',
        'person.version',
      ])
      .where('person.organisation_id', '=', organisationId);
  /** A person by id (a sign-off's e-mail to the director, a report's people): built and compiled once. */
  const byIdQuery = reusableQuery((p: { organisationId: string; id: string }) =>
    base(p.organisationId).where('person.id', '=', p.id),
  );
  const toPerson = (r: {
    id: string;
    name: string;
    job_title: string;
    employer_id: string;
    email: string | null;
    employer_name: string;
    version: number;
  }): Person => ({
    id: r.id,
    name: r.name,
    jobTitle: r.job_title,
    employerId: r.employer_id,
    employerName: r.employer_name,
    email: r.email,
    version: r.version,
  });
  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),
    async list(organisationId: string): Promise<Person[]> {
      return (await base(organisationId).orderBy('person.name').execute()).map(toPerson);
    },
    async findById(organisationId: string, id: string): Promise<Person | undefined> {
      const [row] = (await db.executeQuery(byIdQuery({ organisationId, id }))).rows;
      return row && toPerson(row);
    },
    async insert(organisationId: string, v: PersonValues): Promise<string> {
      const row = await db
        .insertInto('person')
        .values({
          organisation_id: organisationId,
          name: v.name,
          job_title: v.jobTitle,
          employer_id: v.employerId,
          email: v.email,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    /** Changes the person if they are still at `version`; false when someone changed them since. */
    async update(organisationId: string, id: string, version: number, v: PersonValues): Promise<boolean> {
      const r = await db
        .updateTable('person')
        .set((eb) => ({
          name: v.name,
          job_title: v.jobTitle,
          employer_id: v.employerId,
          email: v.email,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Whether the organisation may name this employer: itself or a partner it manages. */
    async employerAllowed(organisationId: string, employerId: string): Promise<boolean> {
      const row = await db
        .selectFrom('organisation')
        .select('id')
        .where('id', '=', employerId)
        .where((eb) => eb.or([eb('id', '=', organisationId), eb('managed_by_id', '=', organisationId)]))
        .executeTakeFirst();
      return row !== undefined;
    },
    async countReferences(id: string): Promise<number> {
      const q = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom('priority')
            .select(eb.fn.countAll<number>().as('n'))
            .where((w) => w.or([w('accountable_officer_id', '=', id), w('accountable_director_id', '=', id)]))
            .as('priorities'),
          eb
            .selectFrom('action_contributor')
            .select(eb.fn.countAll<number>().as('n'))
            .where('person_id', '=', id)
            .as('actions'),
          eb
            .selectFrom('sign_off')
            .select(eb.fn.countAll<number>().as('n'))
            .where('person_id', '=', id)
            .as('sign_offs'),
        ])
        .executeTakeFirstOrThrow();
      return Number(q.priorities) + Number(q.actions) + Number(q.sign_offs);
    },
    /** Removes the person if they are still at `version`; false when someone changed them since. */
    async delete(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('person')
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export type PersonQueries = ReturnType<typeof personQueries>;
export const createPersonRepository = (db: Kysely<DB>) => personQueries(db);
export type PersonRepository = ReturnType<typeof createPersonRepository>;
