// An indicator's shared identifier (issue 11: "Indicators may carry a shared identifier (e.g. an
// LG Inform metric id) so members' values compare like with like"), on PGlite and on PostgreSQL:
// recorded on the indicator through the API and the definitions file (a bad one refused naming the
// field, or the row and column, changing nothing), shown on its page; a club contribution uses it
// when none is typed, refuses one that contradicts it and asks for one when the indicator has
// none; the organisation file carries it, and a file from before it existed imports without one.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, openTestDatabase } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { ValidationError } from '../src/domain/errors.ts';

type Json = Record<string, any>;
const PERIOD = '2009-10-q2';

for (const engine of ENGINES)
  describe(`an indicator's shared identifier [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let host: Actor;
    let club: string;

    const post = (url: string, payload: Json) => t.app.inject({ method: 'POST', url, payload });
    const fields = (r: { json(): Json }) => (r.json().errors as { field: string }[]).map((e) => e.field).sort();
    const stored = async (code: string) =>
      (
        await sql<{ shared_code: string | null }>`
          select shared_code from indicator where code = ${code} and organisation_id = ${leeds.organisationId}`.execute(
          t.db,
        )
      ).rows[0]?.shared_code;
    const asLeeds = <T>(fn: () => Promise<T>) => t.units.run(fn, { organisationId: leeds.organisationId });
    const asHost = <T>(fn: () => Promise<T>) => t.units.run(fn, { organisationId: host.organisationId });
    const definition = (code: string, sharedCode?: string) => ({
      code,
      title: `Days to process a claim (${code})`,
      unitKind: 'days',
      decimalPlaces: '1',
      polarity: 'lower',
      frequency: 'quarterly',
      ...(sharedCode === undefined ? {} : { sharedCode }),
    });
    const clubFigures = async () =>
      (
        await sql<{ metric: string; label: string }>`
          select metric, label from club_figure where club_id = ${club} and organisation_id = ${leeds.organisationId}
          and withdrawn_at is null order by metric`.execute(t.db)
      ).rows;

    before(async () => {
      t = await buildTestApp(engine);
      leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      const hostOrg = await t.services.organisations.createHome('test', {
        name: 'Shared code benchmarking',
        kind: 'public_body',
      });
      host = systemActor(hostOrg.id, 'test');
      club = await asHost(() => t.services.clubs.createClub(host, { name: 'Claims club' }));
      const slug = (await t.services.organisations.getOwn(leeds)).slug!;
      await asHost(() => t.services.clubs.invite(host, club, { member: slug }));
      await asLeeds(() => t.services.clubs.setMembership(leeds, club, true, {}));
    });
    after(async () => t?.close());

    it('records it through the API, shows it on the indicator’s page, and refuses a bad one naming the field', async () => {
      const bad = await post(paths.api.indicators, definition('SC-0', 'not an id!'));
      assert.equal(bad.statusCode, 422, bad.body);
      assert.deepEqual(fields(bad), ['sharedCode']);
      assert.match(bad.json().errors[0].message, /letters, numbers, dots, hyphens or colons, like LGI-1234/);
      assert.equal(await stored('SC-0'), undefined, 'no indicator made');

      const made = await post(paths.api.indicators, definition('SC-1', ' LGI-1234 '));
      assert.equal(made.statusCode, 201, made.body);
      assert.equal(made.json().sharedCode, 'LGI-1234', 'trimmed');
      assert.equal(await stored('SC-1'), 'LGI-1234');
      const none = await post(paths.api.indicators, definition('SC-2', ''));
      assert.equal(none.statusCode, 201, none.body);
      assert.equal(await stored('SC-2'), null, 'blank is none');

      // A PUT replaces the whole indicator, so it must send the identifier too: never cleared by leaving it out.
      const put = await t.app.inject({
        method: 'PUT',
        url: paths.api.indicator('SC-1'),
        payload: { version: made.json().version },
      });
      assert.equal(put.statusCode, 422, put.body);
      assert.ok(fields(put).includes('sharedCode'), put.body);
      assert.equal(await stored('SC-1'), 'LGI-1234');

      const page = await t.app.inject({ url: paths.indicators.show('SC-1') });
      assert.match(htmlText(page.body), /Shared identifier\s+LGI-1234/);
      assert.match(
        htmlText((await t.app.inject({ url: paths.indicators.show('SC-2') })).body),
        /Shared identifier\s+None recorded/,
      );
      const form = await t.app.inject({ url: paths.indicators.edit('SC-1') });
      assert.match(form.body, /id="sharedCode" name="sharedCode" type="text" spellcheck="false" value="LGI-1234"/);
    });

    it('reads it from the definitions file under its usual names, refusing a bad one by row and column', async () => {
      const file = (rows: string[]) => ({
        file: {
          filename: 'definitions.csv',
          data: Buffer.from(['PI No,Title,Unit,Good is?,Frequency,LG Inform id', ...rows].join('\n')),
        },
      });
      await assert.rejects(
        asLeeds(() =>
          t.services.indicatorTransfer.importDefinitions(
            leeds,
            file([
              'SC-3,Claims in time,Percentage,Higher,Quarterly,LGI-3',
              'SC-4,Claims late,Number,Lower,Quarterly,two words',
            ]),
          ),
        ),
        (e: unknown) => {
          assert.ok(e instanceof ValidationError);
          assert.match(
            e.issues.map((i) => i.message).join('\n'),
            /Row 3, column Shared identifier: The shared identifier must be letters, numbers, dots, hyphens or colons, like LGI-1234/,
          );
          return true;
        },
      );
      assert.equal(await stored('SC-3'), undefined, 'nothing imported');
      await asLeeds(() =>
        t.services.indicatorTransfer.importDefinitions(
          leeds,
          file(['SC-3,Claims in time,Percentage,Higher,Quarterly,LGI-3', 'SC-4,Claims late,Number,Lower,Quarterly,']),
        ),
      );
      assert.equal(await stored('SC-3'), 'LGI-3');
      assert.equal(await stored('SC-4'), null);
      // And it is written back under its own name.
      const csv = await t.app.inject({ url: paths.indicators.definitionsCsv });
      const [header, ...lines] = csv.body.split(/\r?\n/);
      assert.match(header!, /,Baseline,Shared identifier$/);
      assert.ok(
        lines.some((l) => l.startsWith('SC-3,') && l.endsWith(',LGI-3')),
        csv.body,
      );
    });

    it('is what a club compares a contributed value by: used when none is typed, never contradicted, asked for when missing', async () => {
      for (const code of ['SC-1', 'SC-2'])
        await asLeeds(() => t.services.indicators.setValue(leeds, code, { period: PERIOD, actual: '41.5' }));
      const contribute = (indicator: string, sharedCode: string) =>
        asLeeds(() => t.services.clubs.contributeIndicator(leeds, club, { indicator, sharedCode, period: PERIOD }));
      const refused = (pattern: RegExp) => (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(
          e.issues.map((i) => i.field),
          ['sharedCode'],
        );
        assert.match(e.issues[0]!.message, pattern);
        return true;
      };
      await assert.rejects(contribute('SC-1', 'LGI-9'), refused(/SC-1’s shared identifier is LGI-1234/));
      await assert.rejects(contribute('SC-2', ''), refused(/Enter the identifier the club compares SC-2 by/));
      assert.deepEqual(await clubFigures(), [], 'nothing contributed');

      await contribute('SC-1', '');
      await contribute('SC-2', 'LGI-2');
      assert.deepEqual(
        (await clubFigures()).map((f) => f.metric),
        ['indicator:LGI-1234', 'indicator:LGI-2'],
      );
      // The club's form names the recorded identifier beside the indicator.
      const page = await t.app.inject({ url: paths.clubs.show(club) });
      assert.match(page.body, />SC-1 Days to process a claim \(SC-1\) \(LGI-1234\)</);
    });

    it('travels in the organisation file; a file from before it existed imports without one, a bad one is refused', async () => {
      const file = JSON.parse(
        JSON.stringify(await t.services.transfer.exportOrganisation(leeds.organisationId)),
      ) as Json;
      const sc1 = (file.indicators as Json[]).find((i) => i.code === 'SC-1')!;
      assert.equal(sc1.sharedCode, 'LGI-1234');
      assert.equal((file.indicators as Json[]).find((i) => i.code === 'SC-2')!.sharedCode, null);

      const target = await openTestDatabase(engine);
      try {
        const wrong = structuredClone(file);
        (wrong.indicators as Json[]).find((i) => i.code === 'SC-1')!.sharedCode = 'two words';
        await assert.rejects(
          target.services.transfer.importOrganisation(wrong, { actorLabel: 'move' }),
          (e: unknown) => {
            assert.ok(e instanceof ValidationError);
            assert.match(JSON.stringify(e.issues), /Shared identifier .*two words.* like LGI-1234/);
            return true;
          },
        );
        const older = structuredClone(file);
        for (const i of older.indicators as Json[]) delete i.sharedCode;
        await target.services.transfer.importOrganisation(older, { actorLabel: 'move' });
        const codes = async () =>
          (
            await sql<{ code: string; shared_code: string | null }>`
              select code, shared_code from indicator where code in ('SC-1', 'SC-3') order by code`.execute(target.db)
          ).rows;
        assert.deepEqual(await codes(), [
          { code: 'SC-1', shared_code: null },
          { code: 'SC-3', shared_code: null },
        ]);
        await target.services.transfer.importOrganisation(file, { actorLabel: 'move', replace: true });
        assert.deepEqual(await codes(), [
          { code: 'SC-1', shared_code: 'LGI-1234' },
          { code: 'SC-3', shared_code: 'LGI-3' },
        ]);
      } finally {
        await target.close();
      }
    });
  });
