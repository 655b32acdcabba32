// The history pages and the audit exports through the web app (inject, signed-in sessions), on
// both engines: newest first, who, when, each field before → after in words; CSV for auditors per
// priority and for the organisation with a date range; who may see them; nothing can change them.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, createTestSession, type TestApp, type TestSession } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { todayIso } from '../src/domain/dates.ts';
import { systemActor } from '../src/domain/actor.ts';
import { sql } from 'kysely';
import { insertOrganisation } from './builders/index.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';

/** Parses our CSV (RFC 4180 quoting, BOM, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

for (const engine of ENGINES) {
  describe(`history and audit export [${engine}]`, () => {
    let t: TestApp;
    let officer: TestSession;
    let viewer: TestSession;
    let contributor: TestSession;
    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      const people = await t.services.people.list(systemActor(home.id, 't'));
      officer = await t.signIn(['accountable_officer'], {
        personId: people.find((p) => p.name === 'Lee Hemsworth')!.id,
      });
      viewer = await t.signIn(['viewer']);
      contributor = await t.signIn(['contributor'], { personId: people.find((p) => p.name === 'Arfan Hanif')!.id });
      // One change by the officer, after the demo's own history.
      const report = (await t.app.inject({ url: paths.api.report(CODE, PERIOD) })).json();
      const put = await t.app.inject({
        method: 'PUT',
        url: paths.api.report(CODE, PERIOD),
        headers: { ...officer.headers, 'content-type': 'application/json' },
        payload: JSON.stringify({
          version: report.version,
          summary: 'A new summary, line one.',
          status: 'red',
          statusReason: 'Stalled',
          achievements: report.achievements,
          challenges: report.challenges,
          risks: [],
        }),
      });
      assert.equal(put.statusCode, 200, put.body);
    });
    after(async () => t?.close());
    const get = (url: string, s?: TestSession) => t.app.inject({ url, headers: s ? s.headers : {} });

    it('shows a report’s history newest first: who, when, and each field before → after in words', async () => {
      const res = await get(paths.history.report(CODE, PERIOD), officer);
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      const first = text.indexOf('Progress report – Changed: sections (opens revision 2)');
      const historical = text.indexOf('historical sign-off accountable_director entered');
      const created = text.indexOf('Progress report – Created');
      assert.ok(
        first > 0 && historical > first && created > historical,
        `newest first: ${first} ${historical} ${created}`,
      );
      assert.match(
        text,
        new RegExp(`By ${officer.email.replace(/\./g, '\\.')} on \\d{1,2} \\w+ \\d{4} at \\d\\d:\\d\\d UTC`),
      );
      assert.match(text, /Status Amber Red/);
      assert.match(text, /Reason for the status .+ Stalled/);
      assert.match(text, /State Published Draft/);
      assert.match(text, /Revision 1 2/);
      assert.match(text, /Sign-off \(empty\) Approved by James Rogers \(accountable director\), historical record/);
      assert.doesNotMatch(res.body, /\{&quot;|\{"/, 'no raw JSON on the page');
    });

    it('shows a priority’s history, and exports it as CSV with the stored before and after', async () => {
      const page = await get(paths.history.priority(CODE));
      assert.equal(page.statusCode, 200);
      assert.match(htmlText(page.body), /Priority – Created/);
      const csv = await get(paths.history.priorityCsv(CODE));
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(String(csv.headers['content-disposition']), /filename="history-VfM-4d\.csv"/);
      const rows = parseCsv(csv.body);
      assert.deepEqual(rows[0], [
        'Time (UTC)',
        'Who',
        'Record',
        'Record id',
        'Action',
        'What',
        'Changes',
        'Before (JSON)',
        'After (JSON)',
      ]);
      const mine = rows.find((r) => r[1] === officer.email)!;
      assert.ok(mine, 'the officer’s change is exported');
      assert.equal(mine[2], 'Progress report');
      assert.equal(mine[5], 'sections (opens revision 2)');
      assert.match(mine[6]!, /^Overall summary: .+ → A new summary, line one\.$/m);
      assert.match(mine[6]!, /^Status: Amber → Red$/m);
      assert.equal(JSON.parse(mine[8]!).summary, 'A new summary, line one.');
      assert.ok(rows.slice(1).every((r) => r.length === 9 && !Number.isNaN(Date.parse(r[0]!))));
      // Newest first, like the page.
      const times = rows.slice(1).map((r) => Date.parse(r[0]!));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
      );
    });

    it('exports the organisation’s audit trail for a date range', async () => {
      const today = todayIso();
      const all = parseCsv((await get(paths.history.auditCsv())).body);
      // The demo was loaded today, or yesterday when the run crossed midnight (its database is
      // made once per run, from a template): from the day of the first record to today.
      const loaded = todayIso(new Date(Math.min(...all.slice(1).map((r) => Date.parse(r[0]!)))));
      assert.ok(loaded <= today && loaded >= todayIso(new Date(Date.now() - 86_400_000)), 'the demo was loaded today');
      const todays = parseCsv((await get(paths.history.auditCsv(loaded, today))).body);
      const future = await get(paths.history.auditCsv('1/1/2199', '2/1/2199'));
      assert.equal(future.statusCode, 200);
      assert.deepEqual(parseCsv(future.body).length, 1, 'only the header');
      assert.ok(todays.length > 10, 'the demo’s records are in the range');
      assert.equal(todays.length, all.length);
      assert.ok(
        todays.slice(1).some((r) => r[2] === 'Organisation'),
        'the whole organisation, not one priority',
      );
      const page = await get(`${paths.history.audit}?from=${today}&to=${today}`);
      assert.equal(page.statusCode, 200);
      assert.match(htmlText(page.body), /Download the audit trail \(from \d+ \w+ \d{4} to \d+ \w+ \d{4}\) as CSV/);
      const wrong = await get(`${paths.history.audit}?from=2010-01-02&to=2010-01-01`);
      assert.equal(wrong.statusCode, 422);
      assert.match(htmlText(wrong.body), /The last day must be the same as or after the first day/);
      assert.equal((await get(paths.history.auditCsv('not a date'))).statusCode, 422);
    });

    /** Events of another organisation, one statement: all at the same time (as an import's are). */
    const insertEvents = async (organisationId: string, count: number, occurredAt?: string) =>
      sql`insert into audit_event (organisation_id, actor, entity, entity_id, action, before, after, occurred_at)
        select ${organisationId}, 'Pat Officer', 'indicator_value', gen_random_uuid(), 'import', null,
          jsonb_build_object('imported', 'values.csv', 'values', jsonb_build_array(
            jsonb_build_object('periodKey', '2009-10-q1', 'actual', g, 'comment', 'Comment ' || g))),
          coalesce(${occurredAt ?? null}::timestamptz, now())
        from generate_series(1, ${count}::int) g`.execute(t.db);
    const drain = async (pages: AsyncIterable<{ id: number }[]>) => {
      const sizes: number[] = [];
      const ids: number[] = [];
      for await (const page of pages) {
        sizes.push(page.length);
        ids.push(...page.map((e) => e.id));
      }
      return { sizes, ids };
    };

    it('exports a long audit trail a page at a time, letting the event loop turn', async () => {
      // 100,000 events held it 2.4 s, read in one statement and described in one loop; an
      // organisation of its own, so the other tests' trail is as it was.
      const other = await insertOrganisation(t.services);
      await insertEvents(other.organisationId, 10_000);
      const ticks: number[] = [];
      const timer = setInterval(() => ticks.push(performance.now()), 1);
      const start = performance.now();
      const entries = [];
      const sizes: number[] = [];
      try {
        const { pages } = await t.services.history.exportOrganisation(other, {});
        for await (const page of pages) {
          sizes.push(page.length);
          entries.push(...page);
        }
      } finally {
        clearInterval(timer);
      }
      const end = performance.now();
      assert.equal(entries.filter((e) => e.entity === 'indicator_value').length, 10_000);
      assert.ok(sizes.length > 10 && sizes.every((n) => n <= 1000), `pages of at most 1,000 events: ${sizes.join()}`);
      assert.deepEqual(
        entries
          .find((e) => e.entity === 'indicator_value')
          ?.changes.map((c) => c.label)
          .sort(),
        ['Imported', 'Values 1 actual', 'Values 1 comment', 'Values 1 period key'],
      );
      assert.ok(end - start > 50, `the export took ${end - start} ms: too short to tell`);
      // The longest the loop went without turning: well under half the export on either engine,
      // now that a page of events is read at a time (on PGlite, one statement reading all 10,000
      // held the loop as long as describing them).
      const during = [start, ...ticks.filter((x) => x < end), end];
      const held = Math.max(...during.slice(1).map((x, i) => x - during[i]!));
      assert.ok(held < (end - start) / 2, `the loop was held ${Math.round(held)} ms of ${Math.round(end - start)}`);
    });

    it('pages the audit trail without repeating or skipping an event, reading each page when it is taken', async () => {
      const other = await insertOrganisation(t.services);
      // Two groups of events sharing a time each (the pages end inside them), and one older event.
      await insertEvents(other.organisationId, 9, '2009-05-01T10:00:00.123456Z');
      await insertEvents(other.organisationId, 11, '2009-05-01T10:00:00.123457Z');
      await insertEvents(other.organisationId, 1, '2009-04-01T09:00:00Z');
      const whole = (await t.services.history.latest(other, {}, 1000)).entries.map((e) => e.id);
      assert.ok(whole.length >= 21);
      const { pages } = await t.services.history.exportOrganisation(other, {}, 4);
      const first = await pages.next();
      assert.equal(first.done, false);
      // While the export runs: an event newer than its start is not in it; one older than the page
      // being read (a restored event) is, because each page is read only when it is taken.
      await insertEvents(other.organisationId, 1);
      await insertEvents(other.organisationId, 1, '2001-01-01T00:00:00Z');
      const rest = await drain(pages);
      const exported = [...first.value.map((e) => e.id), ...rest.ids];
      assert.ok([first.value.length, ...rest.sizes].every((n) => n > 0 && n <= 4));
      const later = (await t.services.history.latest(other, {}, 1000)).entries.map((e) => e.id);
      assert.deepEqual(exported, [...whole, later.at(-1)], 'the trail as it was, newest first, then the older event');
      assert.equal(new Set(exported).size, exported.length, 'no event twice');
      assert.ok(!exported.includes(later[0]!), 'the event recorded after the export began is not in it');
      // A range and a page size that divides the events exactly: no empty last page, nothing more.
      const may = await drain(
        (await t.services.history.exportOrganisation(other, { from: '1/5/2009', to: '1/5/2009' }, 5)).pages,
      );
      assert.deepEqual(may.sizes, [5, 5, 5, 5]);
    });

    it('streams the organisation’s audit trail as CSV, each event once, newest first', async () => {
      const other = await insertOrganisation(t.services);
      await insertEvents(other.organisationId, 2_500);
      const auditor = await createTestSession(t.services, other.organisationId, ['performance_officer']);
      const res = await get(paths.history.auditCsv(), auditor);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.equal(res.headers['transfer-encoding'], 'chunked', 'written as it is read, not held whole');
      const rows = parseCsv(res.body);
      const expected = (await t.services.history.latest(other, {}, 10_000)).entries;
      assert.equal(rows.length, expected.length + 1);
      assert.deepEqual(
        rows.slice(1).map((r) => r[3]),
        expected.map((e) => e.entityId),
      );
      assert.equal(rows.filter((r) => r[2] === 'Indicator value').length, 2_500);
      assert.ok(res.body.startsWith('\uFEFFTime (UTC),Who,'), 'one byte order mark and header, at the start');
      assert.equal(res.body.split('\uFEFF').length, 2);
    });

    it('writes text of the audit trail a spreadsheet would run as a formula with an apostrophe', async () => {
      const home = await t.services.organisations.getHome();
      const who = '@SUM(1+1)*cmd|" /C calc"!A0';
      await t.services.indicators.create(systemActor(home.id, who), {
        code: 'AUD 1',
        title: '-2+3',
        unitKind: 'number',
        decimalPlaces: '0',
        polarity: 'higher',
        frequency: 'annual',
        ruleKind: 'absolute',
        tolerance: '1',
      });
      const rows = parseCsv((await get(paths.history.auditCsv())).body);
      const created = rows.filter((r) => r[1] === `'${who}`);
      assert.equal(created.length, 1, 'the person’s name is written with an apostrophe before it');
      assert.equal(created[0]![2], 'Indicator');
      assert.equal(JSON.parse(created[0]![8]!).title, '-2+3', 'JSON starts with { and is left as it is');
      assert.ok(!rows.some((r) => r[1] === who));
    });

    it('lets only those allowed read the history or export the audit trail', async () => {
      assert.equal((await get(paths.history.report(CODE, PERIOD), viewer)).statusCode, 403);
      assert.equal((await get(paths.history.priority(CODE), contributor)).statusCode, 403);
      assert.equal((await get(paths.history.priority(CODE), officer)).statusCode, 200);
      assert.equal(
        (await get(paths.history.priorityCsv(CODE), officer)).statusCode,
        403,
        'exports are for the performance team and auditors',
      );
      assert.equal((await get(paths.history.auditCsv(), viewer)).statusCode, 403);
      assert.equal((await get(paths.api.reportHistory(CODE, PERIOD), viewer)).statusCode, 403);
      const api = await get(paths.api.priorityHistory(CODE), officer);
      assert.equal(api.statusCode, 200);
      assert.ok(
        api
          .json()
          .some(
            (e: { actor: string; changes: { label: string }[] }) =>
              e.actor === officer.email && e.changes.some((c) => c.label === 'Status'),
          ),
      );
    });

    it('offers no way to change or remove an audit record', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        for (const url of [
          paths.history.audit,
          paths.history.priority(CODE),
          paths.history.report(CODE, PERIOD),
          paths.api.priorityHistory(CODE),
          paths.api.reportHistory(CODE, PERIOD),
        ]) {
          const res = await t.app.inject({
            method,
            url,
            headers: { 'content-type': 'application/json' },
            payload: '{}',
          });
          assert.ok([404, 405].includes(res.statusCode), `${method} ${url} answered ${res.statusCode}`);
        }
      }
    });
  });
}
