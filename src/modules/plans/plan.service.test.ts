import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine } from '../../../test/helpers/database.ts';
import { insertOrganisation, insertTheme, insertPriority } from '../../../test/builders/index.ts';
import { ConflictError, ValidationError } from '../../domain/errors.ts';

describeOnEachEngine('plans, themes and priorities', (t) => {
  it('changes a plan, refusing a stale version', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const plan = await services.plans.createPlan(actor, {
      title: 'Council Business Plan 2008–11',
      firstYear: 2008,
      lastYear: 2010,
    });
    const changed = await services.plans.updatePlan(actor, plan.id, {
      title: 'Council Plan 2011–15',
      firstYear: 2011,
      lastYear: 2014,
      version: plan.version,
    });
    assert.deepEqual([changed.title, changed.version], ['Council Plan 2011–15', 2]);
    await assert.rejects(
      services.plans.updatePlan(actor, plan.id, {
        title: 'Stale',
        firstYear: 2011,
        lastYear: 2014,
        version: plan.version,
      }),
      ConflictError,
    );
    await assert.rejects(
      services.plans.updatePlan(actor, plan.id, { title: 'Backwards', firstYear: 2011, lastYear: 2009 }),
      (e) => e instanceof ValidationError && e.issues[0]?.field === 'lastYear',
    );
  });

  it('renames and removes a theme, but not one that has priorities', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const theme = await insertTheme(services, actor);
    const renamed = await services.plans.updateTheme(actor, theme.id, {
      title: 'Value for Money',
      version: theme.version,
    });
    assert.equal(renamed.title, 'Value for Money');
    await insertPriority(services, actor, { themeId: theme.id });
    await assert.rejects(
      services.plans.deleteTheme(actor, theme.id),
      (e) => e instanceof ConflictError && /has 1 priority/.test(e.message),
    );
    const empty = await services.plans.createTheme(actor, theme.planId, { title: 'Empty' });
    await services.plans.deleteTheme(actor, empty.id);
    assert.deepEqual(
      (await services.plans.listThemes(actor, theme.planId)).map((x) => x.title),
      ['Value for Money'],
    );
  });

  it('changes and removes partner organisations, but not one people work for', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const partner = await services.organisations.createPartner(actor, { name: 'PwC', kind: 'private' });
    const renamed = await services.organisations.updatePartner(actor, partner.id, {
      name: 'PricewaterhouseCoopers',
      kind: 'private',
    });
    assert.equal(renamed.name, 'PricewaterhouseCoopers');
    await services.people.create(actor, { name: 'A Consultant', employerId: partner.id });
    await assert.rejects(
      services.organisations.deletePartner(actor, partner.id),
      (e) => e instanceof ConflictError && /1 person or action refers to it/.test(e.message),
    );
    const spare = await services.organisations.createPartner(actor, { name: 'Spare', kind: 'other' });
    await services.organisations.deletePartner(actor, spare.id);
    assert.deepEqual(
      (await services.organisations.listPartners(actor)).map((o) => o.name),
      ['PricewaterhouseCoopers'],
    );
  });

  it('sets a period’s due date and removes a period no report uses', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    await services.periods.create(actor, { kind: 'half', startYear: '2009', number: '2' });
    const due = await services.periods.setDueDate(actor, '2009-10-h2', { dueOn: '30 April 2010' });
    assert.equal(due.dueOn, '2010-04-30');
    await assert.rejects(
      services.periods.setDueDate(actor, '2009-10-h2', { dueOn: '31/04/2010' }),
      (e) => e instanceof ValidationError && e.issues[0]?.field === 'dueOn',
    );
    await services.periods.delete(actor, '2009-10-h2');
    assert.deepEqual(await services.periods.list(actor), []);
  });
});
