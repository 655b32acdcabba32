// Every write through the API names the version it read (issue 9): people and partner
// organisations too. A stale version is refused with 409 and changes nothing; a missing one is
// refused with 422; the version read is the one the GET returned.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';

describe('versions on every API write [pglite]', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('pglite');
  });
  after(async () => t?.close());
  const person = async (id: string) =>
    (await api('GET', paths.api.people)).json().find((p: { id: string }) => p.id === id) as
      { jobTitle: string } | undefined;
  const partner = async (id: string) =>
    (await api('GET', paths.api.organisations)).json().find((o: { id: string }) => o.id === id) as
      { name: string } | undefined;
  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('changes a person only from the version read, and removes one only at that version', async () => {
    const home = (await api('GET', paths.api.people)).json()[0];
    const created = await api('POST', paths.api.people, {
      name: 'Versioned Person',
      jobTitle: 'Officer',
      employerId: home.employerId,
      email: '',
    });
    assert.equal(created.statusCode, 201, created.body);
    const one = created.json();
    assert.equal(one.version, 1);
    const whole = { name: 'Versioned Person', jobTitle: 'Head of Service', employerId: one.employerId, email: '' };

    assert.equal((await api('PUT', paths.api.person(one.id), whole)).statusCode, 422, 'no version');
    const first = await api('PUT', paths.api.person(one.id), { ...whole, version: 1 });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().version, 2);
    const stale = await api('PUT', paths.api.person(one.id), { ...whole, jobTitle: 'Overwritten', version: 1 });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().code, 'STALE_VERSION');
    assert.equal((await person(created.json().id))?.jobTitle, 'Head of Service');

    assert.equal((await api('DELETE', paths.api.person(one.id), { version: 1 })).statusCode, 409);
    assert.ok(await person(created.json().id), 'still there');
    assert.equal((await api('DELETE', paths.api.person(one.id), { version: 2 })).statusCode, 204);
    assert.equal(await person(created.json().id), undefined);
  });

  it('changes a partner organisation only from the version read, and removes one only at that version', async () => {
    const created = await api('POST', paths.api.organisations, {
      name: 'Versioned Partner',
      shortName: '',
      kind: 'other',
    });
    assert.equal(created.statusCode, 201, created.body);
    const org = created.json();
    assert.equal(org.version, 1);
    const whole = { name: 'Versioned Partner Ltd', shortName: 'VP', kind: 'private' };
    assert.equal((await api('PUT', paths.api.organisation(org.id), whole)).statusCode, 422, 'no version');
    const changed = await api('PUT', paths.api.organisation(org.id), { ...whole, version: 1 });
    assert.equal(changed.json().version, 2, changed.body);
    const stale = await api('PUT', paths.api.organisation(org.id), { ...whole, name: 'Overwritten', version: 1 });
    assert.equal(stale.statusCode, 409);
    assert.equal((await partner(org.id))?.name, 'Versioned Partner Ltd');
    assert.equal((await api('DELETE', paths.api.organisation(org.id), { version: 1 })).statusCode, 409);
    assert.equal((await api('DELETE', paths.api.organisation(org.id), { version: 2 })).statusCode, 204);
    assert.equal(await partner(org.id), undefined);
  });

  it('removes a theme only at the version read', async () => {
    const plan = (await api('GET', paths.api.plans)).json()[0];
    const created = await api('POST', paths.api.themes(plan.id), { title: 'Versioned theme' });
    assert.equal(created.statusCode, 201, created.body);
    const theme = created.json();
    assert.equal(
      (await api('PUT', paths.api.theme(theme.id), { title: 'Renamed theme', version: theme.version })).statusCode,
      200,
    );
    assert.equal((await api('DELETE', paths.api.theme(theme.id), { version: theme.version })).statusCode, 409);
    assert.equal((await api('DELETE', paths.api.theme(theme.id), { version: theme.version + 1 })).statusCode, 204);
  });

  it('records an indicator value only from the version read (0 for a period with none), and so its status override', async () => {
    const code = 'OC-1c-i';
    const home = await t.services.organisations.getHome();
    await t.services.periods.ensure(systemActor(home.id, 'test'), '2010-11-q1');
    const value = (version: number, actual: string) =>
      api('PUT', paths.api.indicatorValues(code), {
        period: '2010-11-q1',
        actual,
        target: '',
        targetHigh: '',
        comment: '',
        version,
      });
    const first = await value(0, '12');
    assert.equal(first.statusCode, 200, first.body);
    const row = () => first.json().find((p: { periodKey: string }) => p.periodKey === '2010-11-q1');
    assert.equal(row().version, 1);
    const stale = await value(0, '99');
    assert.equal(stale.statusCode, 409, 'a second "new" value for the same period is stale');
    assert.equal((await value(1, '13')).statusCode, 200);
    assert.equal((await value(1, '14')).statusCode, 409);
    const override = (version: number) =>
      api('PUT', paths.api.indicatorStatus(code), { period: '2010-11-q1', status: '', reason: '', version });
    assert.equal((await override(1)).statusCode, 409);
    assert.equal((await override(2)).statusCode, 200);
  });
});
