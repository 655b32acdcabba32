// The dashboard kept worked out under the organisation's dashboard generation (issue 14, "the
// dashboard's statements and CPU flat from 10 to 1,000 priorities"; migration 2026-12-12-300, ADR
// 0023): a second view sends one statement of its own (the generation) and shows the same page;
// every table the dashboard's statements read moves the generation on when a committed change
// touches the organisation's rows, and a change shows at once, as an app that keeps nothing shows
// it; a rolled-back change, a draft's text, another organisation's change move nothing; what a
// unit has changed but not committed is never kept; a write waits for no other transaction's
// uncommitted change; the kept dashboards are per organisation, kind of reader and day, and
// bounded; every role and pair of roles is served what a service that keeps nothing gives it, and
// so is every view after each step of a seeded walk of changes to one part or both (ADR 0024). Both
// engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { buildServices, type Services } from '../src/composition.ts';
import { observeStatements, type ObservedStatement } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor, type UserActor } from '../src/domain/actor.ts';
import { ROLES, type Role } from '../src/domain/permissions.ts';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, createTestSession, type TestApp, type TestSession } from './helpers/app.ts';
import { insertOrganisation, insertTheme } from './builders/index.ts';
import { EVERY_INDICATOR } from '../src/modules/dashboard/dashboard.repository.ts';
import { insertSizedOrganisation, SIZED_PERIODS } from './builders/sized-organisation.ts';

const PERIOD = '2009-10-h1';
const GENERATION = /^select reports, indicators from amber_dashboard_generations\(/;
const PARTS = ['reports', 'indicators'] as const;
type Part = (typeof PARTS)[number];
/** The tables a dashboard's statements name, less the session's (read to know who is asking, before the generation). */
const tablesOf = (statements: readonly string[]) =>
  new Set(
    statements
      .flatMap((s) => [...s.matchAll(/\b(?:from|join) "([a-z_]+)"/g)].map((m) => m[1]!))
      .filter((table) => !['user_session', 'user_account', 'membership'].includes(table)),
  );

for (const engine of ENGINES) {
  describe(`the dashboard kept under its generation [${engine}]`, () => {
    let t: TestApp;
    /** The same database, with services that keep no dashboard: what every answer must be. */
    let normal: FastifyInstance;
    let plain: Services;
    let actor: Actor;
    let editor: TestSession;

    before(async () => {
      t = await buildTestApp(engine);
      plain = buildServices({ db: t.db, units: t.units }, { keptDashboards: 0 });
      normal = await buildApp({
        config: { env: 'test', logLevel: 'silent' },
        db: t.db,
        units: t.units,
        services: plain,
      });
      actor = systemActor((await t.services.organisations.getHome()).id, 'test');
      editor = await session(['performance_officer']);
    });
    after(async () => {
      await normal?.close();
      await t?.close();
    });

    const session = (roles: readonly Role[]) => createTestSession(t.services, actor.organisationId, roles);

    async function get(who: TestSession, url = `${paths.dashboard}?period=${PERIOD}`, on: FastifyInstance = t.app) {
      const statements: ObservedStatement[] = [];
      const stop = observeStatements(t.db, (s) => statements.push(s));
      let response;
      try {
        response = await on.inject({ url, headers: who.headers });
      } finally {
        stop();
      }
      assert.equal(response.statusCode, 200, `GET ${url}: ${response.body.slice(0, 300)}`);
      return {
        body: response.body.replace(/nonce="[^"]*"/g, 'nonce'),
        // The session's once-a-minute "last seen" write is not the dashboard's.
        statements: statements.filter((s) => !/^update "user_session"/.test(s.sql)).map((s) => s.sql),
      };
    }

    /** The statements of a dashboard served as kept: the unit's own, the session and the generation. */
    function assertKept(statements: readonly string[]) {
      assert.equal(statements.length, 5, statements.join('\n'));
      assert.match(statements[0]!, /^begin/);
      assert.match(statements[1]!, /from "user_session"/);
      assert.match(statements[2]!, /^set local role/);
      assert.match(statements[3]!, GENERATION);
      assert.match(statements[4]!, /^commit/);
    }
    /** Worked out, in one part or both: more than a kept view's five statements. */
    const assertWorkedOut = (statements: readonly string[]) =>
      assert.ok(statements.length > 5, `worked out: ${statements.length} statements`);

    /** The organisation's two numbers, each as a bigint. */
    const generations = async (organisationId = actor.organisationId): Promise<Record<Part, bigint>> => {
      const row = (
        await sql<Record<Part, string>>`select reports::text, indicators::text
          from amber_dashboard_generations(${organisationId}::uuid)`.execute(t.db)
      ).rows[0]!;
      return { reports: BigInt(row.reports), indicators: BigInt(row.indicators) };
    };
    /**
     * The one number the previous Amber keeps whole dashboards under, kept for one release for its
     * instances during a rolling upgrade (migration 2026-12-12-500): it must move with either part.
     */
    const previousNumber = async () =>
      BigInt(
        (
          await sql<{
            g: string;
          }>`select amber_dashboard_generation(${actor.organisationId}::uuid)::text as g`.execute(t.db)
        ).rows[0]!.g,
      );
    /** The parts whose numbers moved on from `before` to `after`. */
    const moved = (before: Record<Part, bigint>, after: Record<Part, bigint>) =>
      PARTS.filter((part) => after[part] > before[part]);

    it('serves a second view from what the first worked out, after one statement, the same page', async () => {
      await get(editor); // whatever was kept before this test
      const change = await t.db
        .updateTable('theme')
        .set({ title: sql`title` })
        .where('organisation_id', '=', actor.organisationId)
        .executeTakeFirst();
      assert.ok(change.numUpdatedRows > 0n);
      const first = await get(editor);
      assertWorkedOut(first.statements);
      const second = await get(editor);
      assertKept(second.statements);
      assert.equal(second.body.replace(/amber_session=[^;"]*/g, ''), first.body.replace(/amber_session=[^;"]*/g, ''));
      // Someone else with the same roles is given it too; the page is the one an app that keeps nothing shows.
      const other = await session(['performance_officer']);
      const theirs = await get(other);
      assertKept(theirs.statements);
      assert.equal(theirs.body, (await get(other, undefined, normal)).body);
    });

    it('keeps a dashboard apart for each kind of reader, period and day', async () => {
      const viewer = await session(['viewer']);
      await get(editor);
      // A viewer sees only what was published: never the editor's dashboard.
      const seen = await get(viewer);
      assertWorkedOut(seen.statements);
      assert.equal(seen.body, (await get(viewer, undefined, normal)).body);
      assertKept((await get(viewer)).statements);
      assertWorkedOut((await get(editor, `${paths.dashboard}?period=2009-10-h2`)).statements);
      const at = async (today: string) => {
        const statements: string[] = [];
        const stop = observeStatements(t.db, (s) => statements.push(s.sql));
        try {
          return { dashboard: await t.services.dashboard.forPeriod(actor, PERIOD, today as never), statements };
        } finally {
          stop();
        }
      };
      const may = await at('2010-05-01');
      assertWorkedOut(may.statements);
      assert.equal((await at('2010-05-01')).statements.length, 3, 'the unit, the generation, commit');
      const later = await at('2010-06-01');
      assertWorkedOut(later.statements);
      assert.deepEqual(later.dashboard, await plain.dashboard.forPeriod(actor, PERIOD, '2010-06-01' as never));
    });

    it('serves each role and pair of roles what a service that keeps nothing gives it, or refuses it as that does', async () => {
      const kept = buildServices({ db: t.db, units: t.units });
      const { rows } = await sql<{ id: string }>`select id from person where organisation_id = ${actor.organisationId}
        order by name limit 2`.execute(t.db);
      const sets: Role[][] = [
        ...ROLES.map((r) => [r]),
        ...ROLES.flatMap((a, i) => ROLES.slice(i + 1).map((b) => [a, b])),
      ];
      const readers: UserActor[] = sets.flatMap((roles) =>
        // Each set twice, as two people: a kept dashboard is served across people only when nothing depends on who.
        rows.map((person, i) => ({
          kind: 'user' as const,
          organisationId: actor.organisationId,
          label: `${roles.join('+')} ${i}`,
          userId: `00000000-0000-4000-8000-00000000000${i}`,
          personId: person.id,
          roles,
        })),
      );
      const answer = (services: Services, reader: UserActor) =>
        services.dashboard.forPeriod(reader, PERIOD, '2010-05-01' as never).then(
          (d) => ({ dashboard: d }),
          (e: unknown) => ({ refused: (e as Error).message }),
        );
      let served = 0;
      for (const pass of [1, 2])
        for (const reader of readers) {
          const before = kept.dashboard.keptCounts.served;
          assert.deepEqual(await answer(kept, reader), await answer(plain, reader), `${reader.label}, pass ${pass}`);
          served += kept.dashboard.keptCounts.served - before;
        }
      // Readers alike share: most of the first pass, and all of the second, is served as kept.
      assert.ok(served > readers.length, `${served} of ${2 * readers.length} served as kept`);
    });

    it('is moved on, part by part, by a change to every table that part reads, and by nothing else', async () => {
      const viewer = await session(['viewer']);
      const urls = ['', ...(await t.services.periods.list(actor)).map((p) => p.key)].map(
        (key) => `${paths.dashboard}${key ? `?period=${key}` : ''}`,
      );
      // Every table the dashboard's statements name, for each period and kind of reader, read by an
      // app that keeps nothing; and those each part's statements name, read by this app when only
      // that part's number has moved (the other part served as kept).
      const read = new Set<string>();
      const readBy: Record<Part, Set<string>> = { reports: new Set(), indicators: new Set() };
      for (const who of [editor, viewer])
        for (const url of urls) {
          for (const table of tablesOf((await get(who, url, normal)).statements)) read.add(table);
          await get(who, url);
          for (const part of PARTS) {
            await sql`insert into dashboard_generation as g (organisation_id, part, generation)
              values (${actor.organisationId}, ${part}, 1)
              on conflict (organisation_id, part) do update set generation = g.generation + 1`.execute(t.db);
            const { statements } = await get(who, url);
            assert.match(statements[3]!, GENERATION);
            for (const table of tablesOf(statements)) readBy[part].add(table);
          }
        }
      // Each statement of the dashboard is one part's (or the frame both are worked out with).
      assert.deepEqual([...read].sort(), [...new Set([...readBy.reports, ...readBy.indicators])].sort());
      assert.ok(read.size >= 11, `the dashboard reads ${[...read].join(', ')}`);
      assert.ok(readBy.indicators.has('indicator_value') && !readBy.indicators.has('progress_report'));
      assert.ok(readBy.reports.has('progress_report') && !readBy.reports.has('indicator_value'));

      const { rows } = await sql<{ table: string; events: string[] }>`
        select c.relname as table, array_agg(t.tgname::text order by t.tgname) as events
        from pg_trigger t join pg_class c on c.oid = t.tgrelid
        where t.tgname like 'amber_dashboard\\_%' and not t.tgisinternal and c.relname <> 'dashboard_change'
        group by c.relname`.execute(t.db);
      const triggered = new Map(rows.map((r) => [r.table, r.events]));
      const missing = [...read].filter((table) => !triggered.has(table)).sort();
      assert.deepEqual(missing, [], 'tables the dashboard reads that move nothing (migration 2026-12-12-300)');
      // And no table it does not read moves it (a dashboard worked out again for nothing; 2026-12-12-400).
      const needless = [...triggered.keys()].filter((table) => !read.has(table)).sort();
      assert.deepEqual(needless, [], 'tables that move the dashboard generation but the dashboard does not read');
      for (const [table, events] of triggered)
        assert.deepEqual(
          events,
          ['del', 'ins', 'upd'].map((e) => `amber_dashboard_${table}_${e}`),
          table,
        );

      // A change to each of them, to this organisation's rows, moves on this organisation's numbers of
      // exactly the parts that read it (2026-12-12-500), and no other organisation's.
      const elsewhere = await insertOrganisation(t.services);
      await insertTheme(t.services, elsewhere);
      for (const table of triggered.keys()) {
        const column = table === 'organisation' ? 'id' : 'organisation_id';
        const before = await generations();
        const beforeForPrevious = await previousNumber();
        const theirs = await generations(elsewhere.organisationId);
        const changed = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${sql.ref(column)}
          where ${sql.ref(column)} = ${actor.organisationId}`.execute(t.db);
        if (table === 'progress_report') {
          // Only what the dashboard reads of a report moves it: saving a draft's text does not.
          assert.deepEqual(await generations(), before, table);
          await sql`update progress_report set summary = summary || '', version = version
            where organisation_id = ${actor.organisationId}`.execute(t.db);
          assert.deepEqual(await generations(), before, `${table}: its text`);
          await sql`update progress_report set status_id = null where id = (select id from progress_report
            where organisation_id = ${actor.organisationId} and status_id is not null limit 1)`.execute(t.db);
        }
        assert.ok((changed.numAffectedRows ?? 0n) > 0n, `the demo has rows in ${table}`);
        assert.deepEqual(
          moved(before, await generations()),
          PARTS.filter((part) => readBy[part].has(table)),
          `${table} moves the parts that read it`,
        );
        assert.ok((await previousNumber()) > beforeForPrevious, `${table} moves the previous Amber's number`);
        assert.deepEqual(await generations(elsewhere.organisationId), theirs, `${table} moves no other organisation's`);
      }

      // Rolled back: nothing moves.
      const before = await generations();
      await assert.rejects(
        t.db.transaction().execute(async (trx) => {
          await sql`update theme set title = 'Never seen' where organisation_id = ${actor.organisationId}`.execute(trx);
          await sql`update indicator set title = 'Never seen' where organisation_id = ${actor.organisationId}`.execute(
            trx,
          );
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.deepEqual(await generations(), before);
    });

    it('shows a change at once, as an app that keeps nothing shows it', async () => {
      const url = `${paths.dashboard}?period=2009-10-h2`;
      await t.services.reports.create(actor, 'VfM-4d', { period: '2009-10-h2' });
      const before = await get(editor, url);
      assertKept((await get(editor, url)).statements);
      await t.services.reports.updateSections(actor, 'VfM-4d', '2009-10-h2', { status: 'green' });
      const after = await get(editor, url);
      assertWorkedOut(after.statements);
      // A report's status: the reports' part worked out again, the indicators' part served as kept.
      assert.ok(!tablesOf(after.statements).has('indicator_value'), after.statements.join('\n'));
      assert.notEqual(after.body, before.body);
      assert.match(after.body, /Status changes since the previous report \(1\)/);
      assert.equal(after.body, (await get(editor, url, normal)).body);
      assertKept((await get(editor, url)).statements);
      // An indicator's value (the off-target list), saved through other services, as another
      // instance would save it: only the database tells this one. (A new period moves both parts.)
      await plain.periods.ensure(actor, '2009-10-q3');
      assertWorkedOut((await get(editor, url)).statements);
      assertKept((await get(editor, url)).statements);
      await plain.indicators.setValue(actor, 'OC-1c-i', { period: '2009-10-q3', actual: '70.0', target: '80' });
      const valued = await get(editor, url);
      // The indicators' part worked out again, the reports' part served as kept.
      assert.ok(tablesOf(valued.statements).has('indicator_value'));
      assert.ok(!tablesOf(valued.statements).has('progress_report'), valued.statements.join('\n'));
      assert.match(valued.body, /Indicators off target \(1\)/);
      assert.equal(valued.body, (await get(editor, url, normal)).body);
    });

    it('answers as a service that keeps nothing after every step of a generated walk of changes', async () => {
      // A seeded walk over an organisation of its own whose dashboard shows something of every kind
      // (test/builders/sized-organisation.ts: H1 and H2 reports, milestones, quarterly values). Each
      // step is one committed change that alters what a part shows — a draft's status, the value or
      // target of an indicator's latest quarter in a half year, a milestone made overdue or not, a
      // theme's title, a priority moved to another theme — or both parts' frame (a new period); then
      // every kind of reader and period is compared with a service that keeps nothing. Most views
      // find one part changed (`partly`): that is the path this walks. The indicators' part is
      // mostly brought up to date from the indicators changed (ADR 0029): a value, a target, an
      // officer's status chosen or taken away, a value deleted, an indicator's rule or direction,
      // an indicator deleted; and worked out whole when what that cannot follow changes: a code
      // (the order), a new indicator, the scale, the organisation's default tolerance.
      const sized = await insertSizedOrganisation(t, { priorities: 12, name: 'Walked Council' });
      const kept = buildServices({ db: t.db, units: t.units });
      const me = sized.organisationId;
      let seed = 16;
      const random = () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      };
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const ids = async (query: ReturnType<typeof sql<{ id: string }>>) =>
        (await query.execute(t.db)).rows.map((r) => r.id);
      const statuses = await ids(sql`select id from status where organisation_id = ${me}`);
      const drafts = await ids(
        sql`select id from progress_report where organisation_id = ${me} and state <> 'published'`,
      );
      // The values the dashboard rates: each indicator's latest quarter in each half year.
      const latest = await ids(sql`select v.id from indicator_value v join reporting_period p on p.id = v.period_id
        where v.organisation_id = ${me} and p.key in (${SIZED_PERIODS.quarters[1]}, ${SIZED_PERIODS.quarters[3]})`);
      const milestones = await ids(sql`select id from milestone where organisation_id = ${me}`);
      const indicators = await ids(sql`select id from indicator where organisation_id = ${me}`);
      const keys = (
        await sql<{ key: string }>`select key from status where organisation_id = ${me}`.execute(t.db)
      ).rows.map((r) => r.key);
      let made = 0;
      const themes = await ids(sql`select id from theme where organisation_id = ${me}`);
      const priorities = await ids(sql`select id from priority where organisation_id = ${me}`);
      assert.ok([statuses, drafts, latest, milestones, themes, priorities].every((list) => list.length > 1));
      const factor = () => (random() < 0.5 ? 0.5 : 1.5);
      const steps: Record<string, () => Promise<unknown>> = {
        status: () =>
          sql`update progress_report set status_id = ${pick(statuses)} where id = ${pick(drafts)}`.execute(t.db),
        // Values are stored scaled (integers): far below or above the target, rated otherwise.
        value: () =>
          sql`update indicator_value set actual = round(coalesce(target, 50) * ${factor()}::numeric)::bigint
            where id = ${pick(latest)}`.execute(t.db),
        target: () =>
          sql`update indicator_value set target = round(coalesce(actual, 50) * ${factor()}::numeric)::bigint
            where id = ${pick(latest)}`.execute(t.db),
        // Due before the day viewed (overdue unless met) or after it; a month's date is its first day.
        milestone: () =>
          sql`update milestone set progress = null, due_precision = 'month',
            due_on = ${pick(['2010-01-01', '2011-01-01'])}::date where id = ${pick(milestones)}`.execute(t.db),
        theme: () => sql`update theme set title = title || ${'.'} where id = ${pick(themes)}`.execute(t.db),
        priority: () =>
          sql`update priority set theme_id = ${pick(themes)} where id = ${pick(priorities)}`.execute(t.db),
        period: () => plain.periods.ensure(sized.actor, `2010-11-q${1 + Math.floor(random() * 4)}`),
        // An officer's status chosen (the scale's worst among them) or taken away.
        override: () =>
          sql`update indicator_value set override_status_key = ${pick([...keys, '', ''])},
            override_reason = ${'chosen'} where id = ${pick(latest)}`.execute(t.db),
        unvalued: () => sql`delete from indicator_value where id = ${pick(latest)}`.execute(t.db),
        direction: () =>
          sql`update indicator set polarity = ${pick(['higher', 'lower'])} where id = ${pick(indicators)}`.execute(
            t.db,
          ),
        // An absolute tolerance of its own, or none (the organisation's default then).
        rule: () =>
          random() < 0.5
            ? sql`update indicator set rule_kind = 'absolute', rule_value = ${pick([0, 5, 5000])}
                where id = ${pick(indicators)}`.execute(t.db)
            : sql`update indicator set rule_kind = null, rule_value = null where id = ${pick(indicators)}`.execute(
                t.db,
              ),
        gone: () => sql`delete from indicator where id = ${pick(indicators)}`.execute(t.db),
        // To the front of the order: the lists follow the codes' order.
        code: () => sql`update indicator set code = ${'A '} || code where id = ${pick(indicators)}`.execute(t.db),
        made: () =>
          sql`with i as (insert into indicator (organisation_id, code, title, unit_kind, decimal_places, polarity, frequency, ytd_method)
              select ${me}::uuid, ${`NEW ${made++}`}, 'Made in the walk', 'number', 0, 'higher', 'quarterly', 'latest'
              returning id)
            insert into indicator_value (organisation_id, indicator_id, period_id, actual, target)
            select ${me}::uuid, i.id, p.id, 10, 50 from i, reporting_period p
            where p.organisation_id = ${me}::uuid and p.key = ${SIZED_PERIODS.quarters[3]}`.execute(t.db),
        // The scale's worst status another (the last two swap places): officers' choices of it are off target.
        scale: () =>
          sql`with two as (select id, position from status where organisation_id = ${me}
              order by position desc limit 2)
            update status s set position = case when two.position = (select max(position) from two)
              then (select min(position) from two) else (select max(position) from two) end
            from two where s.id = two.id`.execute(t.db),
        tolerance: () =>
          sql`update organisation set default_rule_value = ${pick([0, 1000, 9000])} where id = ${me}`.execute(t.db),
      };
      const readers: Actor[] = [
        sized.actor,
        {
          kind: 'user',
          organisationId: me,
          label: 'viewer',
          userId: '00000000-0000-4000-8000-000000000009',
          roles: ['viewer'],
        },
      ];
      const periods = [undefined, SIZED_PERIODS.earlier, SIZED_PERIODS.later];
      const before = { ...kept.dashboard.keptCounts };
      const patchedBefore = kept.dashboard.patchedCounts.indicators;
      const seen = new Set<string>();
      for (let step = 0; step < 48; step++) {
        const name = pick(Object.keys(steps));
        await steps[name]!();
        for (const reader of readers)
          for (const period of periods) {
            const expected = await plain.dashboard.forPeriod(reader, period, '2010-05-01' as never);
            assert.deepEqual(
              await kept.dashboard.forPeriod(reader, period, '2010-05-01' as never),
              expected,
              `step ${step} (${name}), ${reader.label}, ${period ?? 'no period asked'}`,
            );
            seen.add(JSON.stringify(expected));
          }
      }
      // The walk changed what is shown, often; and went mostly through the parts.
      assert.ok(seen.size > 30, `${seen.size} different dashboards seen`);
      const grew = (k: keyof typeof before) => kept.dashboard.keptCounts[k] - before[k];
      assert.ok(grew('partly') > 50, `${grew('partly')} views worked out in part`);
      assert.ok(grew('changed') > 0, `${grew('changed')} worked out whole (a new period)`);
      const patched = kept.dashboard.patchedCounts.indicators - patchedBefore;
      assert.ok(patched > 40, `${patched} views’ indicators’ part brought up to date from what changed`);
    });

    it('brings its indicators’ part up to date by reading only the indicators changed since it was kept', async () => {
      // ADR 0029: one value saved in an organisation of 40 indicators reads that indicator alone,
      // where the part worked out again read all 40; the page is the one a service that keeps
      // nothing gives.
      const sized = await insertSizedOrganisation(t, { priorities: 40, name: 'Patched Council' });
      const officer = await createTestSession(t.services, sized.organisationId, ['performance_officer']);
      const url = `${paths.dashboard}?period=${SIZED_PERIODS.later}`;
      await get(officer, url);
      const observe = async () => {
        const seen: ObservedStatement[] = [];
        const stop = observeStatements(t.db, (st) => seen.push(st));
        try {
          const response = await t.app.inject({ url, headers: officer.headers });
          assert.equal(response.statusCode, 200);
          return { seen, body: response.body.replace(/nonce="[^"]*"/g, 'nonce') };
        } finally {
          stop();
        }
      };
      const { rows } = await sql<{
        id: string;
        indicator_id: string;
      }>`select v.id, v.indicator_id from indicator_value v
        join reporting_period p on p.id = v.period_id
        where v.organisation_id = ${sized.organisationId} and p.key = ${SIZED_PERIODS.quarters[3]} limit 1`.execute(
        t.db,
      );
      const value = rows[0]!;
      const patchedBefore = t.services.dashboard.patchedCounts.indicators;
      await sql`update indicator_value set actual = actual + 1 where id = ${value.id}`.execute(t.db);
      const { seen, body } = await observe();
      assert.equal(t.services.dashboard.patchedCounts.indicators, patchedBefore + 1);
      assert.ok(seen.some((st) => /amber_dashboard_indicator_changes\(/.test(st.sql)));
      const read = seen.filter((st) => /\bfrom "indicator"/.test(st.sql) || /\bfrom "indicator_value"/.test(st.sql));
      assert.ok(read.length >= 2, read.map((st) => st.sql).join('\n'));
      // The indicators and their latest values by id; the points of those shown are read apart.
      const byId = read.filter((x) => !/"indicator_value"\."indicator_id" in/.test(x.sql));
      assert.ok(byId.length >= 2, byId.map((st) => st.sql).join('\n'));
      for (const st of byId) {
        const ids = st.parameters.find(Array.isArray) as string[] | undefined;
        assert.deepEqual(ids, [value.indicator_id], `read only the indicator changed: ${st.sql}`);
      }
      const plainBody = (await normal.inject({ url, headers: officer.headers })).body.replace(
        /nonce="[^"]*"/g,
        'nonce',
      );
      assert.equal(body, plainBody);
    });

    it('notes a statement that changes more than 500 indicators as a change to every indicator', async () => {
      // An import's batch: its indicators noted one by one cost PGlite ~40 ms a statement of 4,000
      // values, for a part the dashboard then works out whole anyway (migration 2026-12-12-700).
      const other = await insertOrganisation(t.services);
      /** The notes of the organisation's newest change. */
      const newest = async () =>
        (
          await sql<{ indicator_id: string }>`select indicator_id from dashboard_indicator_change
            where organisation_id = ${other.organisationId} and generation = (select max(generation)
              from dashboard_indicator_change where organisation_id = ${other.organisationId})`.execute(t.db)
        ).rows.map((r) => r.indicator_id);
      await sql`insert into indicator (organisation_id, code, title, unit_kind, decimal_places, polarity, frequency, ytd_method)
        select ${other.organisationId}::uuid, 'MANY ' || n, 'Indicator ' || n, 'number', 0, 'higher', 'quarterly', 'latest'
        from generate_series(1, 501) n`.execute(t.db);
      assert.deepEqual(await newest(), [EVERY_INDICATOR], 'the 501 made: one note');
      await sql`update indicator set title = title || '.' where organisation_id = ${other.organisationId}
        and code <> 'MANY 1'`.execute(t.db);
      const titled = await newest();
      assert.equal(new Set(titled).size, 500, 'the 500 titles changed: each noted');
      assert.ok(!titled.includes(EVERY_INDICATOR));
    });

    it('never keeps what its own unit changed and had not committed', async () => {
      await assert.rejects(
        t.units.run(
          async () => {
            await sql`update theme set title = 'Rolled back' where organisation_id = ${actor.organisationId}`.execute(
              t.units.db,
            );
            const inside = await t.services.dashboard.forPeriod(actor, PERIOD, '2010-05-03' as never);
            assert.ok(inside?.themes.some((th) => th.themeTitle === 'Rolled back'));
            throw new Error('rolled back');
          },
          { organisationId: actor.organisationId },
        ),
        /rolled back/,
      );
      const outside = await t.services.dashboard.forPeriod(actor, PERIOD, '2010-05-03' as never);
      assert.ok(outside);
      assert.ok(!outside.themes.some((th) => th.themeTitle === 'Rolled back'));
    });

    it('keeps at most as many dashboards as it is given, the least recently used going first', async () => {
      const two = buildServices({ db: t.db, units: t.units }, { keptDashboards: 2 });
      const count = async (key: string) => {
        let n = 0;
        const stop = observeStatements(t.db, () => n++);
        try {
          await two.dashboard.forPeriod(actor, key, '2010-05-01' as never);
        } finally {
          stop();
        }
        return n;
      };
      const keys = (await t.services.periods.list(actor)).map((p) => p.key).slice(0, 3);
      assert.equal(keys.length, 3);
      for (const key of keys) assert.ok((await count(key)) > 10, key);
      assert.equal(await count(keys[2]!), 3, 'the last is kept');
      assert.equal(await count(keys[1]!), 3, 'and the one before');
      assert.ok((await count(keys[0]!)) > 10, 'the first went when the third came');
    });

    if (engine === 'postgres')
      it('lets a write go on while another transaction holds an uncommitted change of the same organisation', async () => {
        const before = await generations();
        await t.db.transaction().execute(async (trx) => {
          await sql`update indicator_value set comment = comment where organisation_id = ${actor.organisationId}`.execute(
            trx,
          );
          // Another connection: its change commits at once (were the counter's row locked, it would wait, then time out).
          await t.db.transaction().execute(async (other) => {
            await sql`set local lock_timeout = '2s'`.execute(other);
            await sql`update theme set title = title where organisation_id = ${actor.organisationId}`.execute(other);
          });
          assert.deepEqual(moved(before, await generations()), ['reports'], 'the other’s commit moved its part on');
        });
        assert.deepEqual(moved(before, await generations()), ['reports', 'indicators'], 'and its own commit, its part');
      });
  });
}
