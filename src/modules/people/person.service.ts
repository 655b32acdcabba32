// People: the named officers who own priorities, contribute to actions and sign reports off.
// A person may work for the organisation or for one of its partners; not every person signs in.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError, StaleVersionError } from '../../domain/errors.ts';
import { parseWith } from '../../platform/validation.ts';
import type { PersonRepository, PersonQueries, Person } from './person.repository.ts';
import { personInput } from './person.schemas.ts';

export type { Person } from './person.repository.ts';

export class PersonNotFoundError extends NotFoundError {
  constructor() {
    super('PERSON_NOT_FOUND', 'There is no such person');
  }
}

export function createPersonService(repo: PersonRepository) {
  async function parse(actor: Actor, r: PersonQueries, input: unknown) {
    const values = parseWith(personInput, input);
    if (!(await r.employerAllowed(actor.organisationId, values.employerId))) {
      throw ValidationError.single('employerId', 'Select the organisation they work for from the list');
    }
    return values;
  }
  async function get(actor: Actor, id: string): Promise<Person> {
    authorize(actor, 'reference.read');
    const p = /^[0-9a-f-]{36}$/i.test(id) ? await repo.findById(actor.organisationId, id) : undefined;
    if (!p) throw new PersonNotFoundError();
    return p;
  }
  return {
    list: async (actor: Actor) => {
      authorize(actor, 'reference.read');
      return repo.list(actor.organisationId);
    },
    get,
    async create(actor: Actor, input: unknown): Promise<Person> {
      authorize(actor, 'reference.edit');
      const values = await parse(actor, repo, input);
      const id = await repo.insert(actor.organisationId, values);
      const after = (await repo.findById(actor.organisationId, id))!;
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'person',
        entityId: id,
        action: 'create',
        after,
      });
      return after;
    },
    async update(actor: Actor, id: string, input: unknown): Promise<Person> {
      authorize(actor, 'reference.edit');
      const before = await repo.findById(actor.organisationId, id);
      if (!before) throw new PersonNotFoundError();
      const values = await parse(actor, repo, input);
      if (!(await repo.update(actor.organisationId, id, values.version ?? before.version, values)))
        throw new StaleVersionError('person');
      const after = (await repo.findById(actor.organisationId, id))!;
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'person',
        entityId: id,
        action: 'update',
        before,
        after,
      });
      return after;
    },
    /** Removes a person nobody refers to; `version`, when given, must be the one read. */
    async delete(actor: Actor, id: string, version?: unknown): Promise<void> {
      authorize(actor, 'reference.edit');
      const before = await repo.findById(actor.organisationId, id);
      if (!before) throw new PersonNotFoundError();
      const uses = await repo.countReferences(id);
      if (uses > 0)
        throw new ConflictError(
          'PERSON_IN_USE',
          `${before.name} cannot be removed: they are named on ${uses} priorit${uses === 1 ? 'y, action or sign-off' : 'ies, actions or sign-offs'}`,
        );
      const read = version === undefined || version === '' ? before.version : Number(version);
      if (!(await repo.delete(actor.organisationId, id, read))) throw new StaleVersionError('person');
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'person',
        entityId: id,
        action: 'delete',
        before,
      });
    },
  };
}

export type PersonService = ReturnType<typeof createPersonService>;
