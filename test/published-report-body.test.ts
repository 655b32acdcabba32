// A published revision rendered once and served from its stored form (issue 14, "published
// revisions rendered once and served from their stored form"): its body is rendered and stored when
// it is published, in the same transaction; the report page serves that body — not the revision
// re-rendered, not the live report — with only its live parts read on each request; a body stored
// by another renderer is rendered again; another organisation never reads or writes it; and the
// page is the one rendered from the revision, but for the request's own tokens. On both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { buildServices } from '../src/composition.ts';
import { observeStatements, type ObservedStatement } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import type { Actor } from '../src/domain/actor.ts';
import { createReportBodyRenderer, rendererDigest, cutAtSlots } from '../src/modules/reports/report-body.presenter.ts';
import type { StoredReportBody } from '../src/modules/reports/report.types.ts';
import { describeOnEachEngine } from './helpers/database.ts';
import { createTestSession, type TestSession } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { insertOrganisation, insertPerson } from './builders/index.ts';

const EARLIER = '2009-10-h1';
const LATER = '2009-10-h2';

describe('cutting a rendered body at its slots', () => {
  it('keeps the HTML between the slots and names each slot', () => {
    assert.deepEqual(
      cutAtSlots('<p>a</p><!--amber-slot:workflow--><form><!--amber-slot:csrf-->x="<!--amber-slot:version-->"'),
      ['<p>a</p>', { slot: 'workflow' }, '<form>', { slot: 'csrf' }, 'x="', { slot: 'version' }, '"'],
    );
  });

  it('leaves alone what only looks like a slot: escaped text and unknown names', () => {
    const html = '<p>&lt;!--amber-slot:csrf--&gt;</p><!--amber-slot:other-->';
    assert.deepEqual(cutAtSlots(html), [html]);
  });
});

describeOnEachEngine('a published report served from its stored body', (t) => {
  let app: FastifyInstance | undefined;
  let actor: Actor;
  let code: string;
  let editor: TestSession;
  let viewer: TestSession;
  let contributor: TestSession;
  let revisionId: string;
  const digest = rendererDigest();

  /** The stored body of the later report's published revision, read as the database's owner. */
  const storedRow = async () =>
    (
      await sql<{ renderer: string; body: StoredReportBody; organisation_id: string }>`
        select renderer, body, organisation_id from report_rendering where revision_id = ${revisionId}`.execute(t().db)
    ).rows[0];
  const setStored = async (renderer: string, body: StoredReportBody) =>
    sql`update report_rendering set renderer = ${renderer}, body = ${JSON.stringify(body)}::jsonb
        where revision_id = ${revisionId}`.execute(t().db);
  const withText = (body: StoredReportBody, from: string, to: string): StoredReportBody => {
    const swap = (pieces: StoredReportBody['reader']) =>
      pieces.map((p) => (typeof p === 'string' ? p.replaceAll(from, to) : p));
    return { ...body, reader: swap(body.reader), editor: swap(body.editor) };
  };

  async function get(
    session: TestSession,
    url = paths.reports.show(code, LATER),
    on: FastifyInstance = app!,
  ): Promise<{ body: string; text: string; statements: ObservedStatement[] }> {
    const statements: ObservedStatement[] = [];
    const stop = observeStatements(t().db, (s) => statements.push(s));
    let response;
    try {
      response = await on.inject({ url, headers: session.headers });
    } finally {
      stop();
    }
    assert.equal(response.statusCode, 200, response.body.slice(0, 300));
    return {
      body: response.body,
      text: htmlText(response.body),
      statements: statements.filter((s) => !/^update "user_session"/.test(s.sql)),
    };
  }

  before(async () => {
    const { services } = t();
    // The normal path on every read: pages kept in memory (ADR 0017) are test/published-page-cache.test.ts's.
    app = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db: t().db,
      units: t().units,
      services,
      pageCache: false,
    });
    actor = await insertOrganisation(services);
    const officer = await insertPerson(services, actor, { name: 'Olive Officer' });
    const director = await insertPerson(services, actor, { name: 'Dara Director' });
    const named = await insertPerson(services, actor, { name: 'Cam Contributor' });
    const plan = await services.plans.createPlan(actor, { title: 'Plan', firstYear: 2008, lastYear: 2011 });
    const theme = await services.plans.createTheme(actor, plan.id, { title: 'Theme' });
    code = `BODY-${Math.random().toString(36).slice(2, 6)}`;
    await services.plans.createPriority(actor, {
      themeId: theme.id,
      code,
      title: 'Stored bodies',
      rationale: 'Why it matters.',
      accountableOfficerId: officer.id,
      accountableDirectorId: director.id,
    });
    // Two published reports, the later following up the earlier's key action ("last time").
    for (const period of [EARLIER, LATER]) {
      await services.periods.ensure(actor, period);
      await services.reports.create(actor, code, { period });
      await services.reports.updateSections(actor, code, period, {
        summary: `PUBLISHEDSUMMARY of ${period}`,
        status: 'amber',
        statusReason: 'As the summary says',
        achievements: 'One thing done',
        challenges: 'One thing hard',
      });
      await services.reports.addAction(actor, code, period, {
        description: `Action of ${period}`,
        contributors: [`person:${named.id}`],
        milestones: [{ description: `Milestone of ${period}`, timescale: 'Mar 2010' }],
      });
      // Two key actions: the editor's body has their "Move" forms, which post the version.
      if (period === LATER)
        await services.reports.addAction(actor, code, period, {
          description: 'A second action',
          contributors: [],
          milestones: [],
        });
      for (const role of ['accountable_officer', 'accountable_director'] as const)
        await services.reports.recordHistoricalSignOff(actor, code, period, {
          role,
          personId: role === 'accountable_officer' ? officer.id : director.id,
          signedOn: '1 October 2009',
          decision: 'approved',
        });
    }
    const revision = await sql<{ id: string }>`
      select r.id from report_revision r join progress_report p on p.id = r.report_id
      join reporting_period pe on pe.id = p.period_id join priority pr on pr.id = p.priority_id
      where pr.code = ${code} and pe.key = ${LATER} and r.number = 1`.execute(t().db);
    revisionId = revision.rows[0]!.id;
    editor = await createTestSession(services, actor.organisationId, ['administrator', 'performance_officer']);
    viewer = await createTestSession(services, actor.organisationId, ['viewer']);
    contributor = await createTestSession(services, actor.organisationId, ['contributor'], { personId: named.id });
  });
  after(async () => {
    await app?.close();
  });

  it('stores the body of a revision when it is published, rendered by the current renderer', async () => {
    const row = await storedRow();
    assert.ok(row, 'no stored body for the published revision');
    assert.equal(row.renderer, digest);
    assert.equal(row.organisation_id, actor.organisationId);
    const html = (pieces: StoredReportBody['reader']) => pieces.filter((p) => typeof p === 'string').join('');
    assert.match(html(row.body.reader), /PUBLISHEDSUMMARY of 2009-10-h2/);
    // The editor's body has the "change" link and the key actions' buttons; the reader's has neither.
    assert.match(html(row.body.editor), /data-qa="edit-report"/);
    assert.doesNotMatch(html(row.body.reader), /data-qa="edit-report"|Move up|Add a key action/);
    assert.deepEqual(
      row.body.reader.filter((p) => typeof p !== 'string'),
      [{ slot: 'workflow' }],
      'a reader’s body leaves only the workflow panel to the request',
    );
    assert.deepEqual(row.body.page, {
      code,
      periodKey: LATER,
      periodLabel: '2009/10 H2',
      lastTime: { periodLabel: '2009/10 H1' },
    });
  });

  it('serves the stored body, not the revision rendered again nor the live report', async () => {
    const row = (await storedRow())!;
    try {
      await setStored(row.renderer, withText(row.body, 'PUBLISHEDSUMMARY', 'FROMTHESTOREDBODY'));
      // The live priority changes after publication: the published page does not.
      await sql`update priority set title = 'Renamed since' where code = ${code}`.execute(t().db);
      for (const session of [editor, viewer]) {
        const { text } = await get(session);
        assert.match(text, /FROMTHESTOREDBODY of 2009-10-h2/);
        assert.doesNotMatch(text, /PUBLISHEDSUMMARY|Renamed since/);
        assert.match(text, /Stored bodies/);
      }
    } finally {
      await setStored(row.renderer, row.body);
      await sql`update priority set title = 'Stored bodies' where code = ${code}`.execute(t().db);
    }
  });

  it('reads only the report’s row with its stored body and what the live parts need', async () => {
    await get(editor);
    const asEditor = (await get(editor)).statements.map((s) => s.sql);
    const asViewer = (await get(viewer)).statements.map((s) => s.sql);
    const first = (sqls: string[]) => sqls.map((s) => /\bfrom "([a-z_]+)"/.exec(s)?.[1] ?? s.split(' ')[0]);
    // BEGIN, the session, the role switch; the priority, the period, the report with its stored
    // body; for those who may read drafts the sign-offs (the panel's decisions) and the
    // conversations with partners; COMMIT.
    assert.deepEqual(first(asEditor), [
      'begin',
      'membership',
      'set',
      'priority',
      'reporting_period',
      'progress_report',
      'sign_off',
      'priority_share',
      'commit',
    ]);
    assert.deepEqual(first(asViewer), [
      'begin',
      'membership',
      'set',
      'priority',
      'reporting_period',
      'progress_report',
      'commit',
    ]);
    for (const sqls of [asEditor, asViewer])
      assert.ok(
        !sqls.some((s) =>
          /from "(report_revision|action|milestone|report_risk|indicator|organisation|status)"/.test(s),
        ),
        sqls.join('\n'),
      );
  });

  it('shows the live parts live: the workflow panel, the buttons and the version a form posts', async () => {
    const { body, text } = await get(editor);
    assert.match(text, /Sign-off workflow State Published Revision 1/);
    assert.match(text, /Every sign-off decision \(2\)/);
    assert.match(body, /data-qa="edit-report"/);
    const version = (await t().services.reports.getBundle(actor, code, LATER)).report.version;
    assert.match(body, new RegExp(`name="version" value="${version}"`));
    assert.match(body, new RegExp(`name="_csrf" value="${editor.csrfToken}"`));
    assert.doesNotMatch(body, /amber-slot/);
    const read = await get(viewer);
    assert.doesNotMatch(read.body, /data-qa="edit-report"|data-qa="decisions"|Move up/);
    assert.match(read.text, /Sign-off workflow State Published Revision 1/);
  });

  it('is the page rendered from the revision, but for the request’s own nonce', async () => {
    // The same database and services, but no renderer: every published page rendered on request.
    const services = buildServices({ db: t().db, units: t().units }, { reportBodies: false });
    const live = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db: t().db,
      units: t().units,
      services,
    });
    const same = (html: string) =>
      html
        .replace(/nonce="[^"]*"/g, 'nonce')
        .replace(/>\s+</g, '><')
        .replace(/\s+/g, ' ');
    try {
      for (const session of [editor, viewer, contributor])
        for (const url of [paths.reports.show(code, LATER), paths.reports.show(code, EARLIER)]) {
          const stored = await get(session, url);
          const rendered = await get(session, url, live);
          assert.equal(same(stored.body), same(rendered.body), `${url} as ${session.email}`);
        }
    } finally {
      await live.close();
    }
  });

  it('serves a contributor named on a key action the live page, with the actions they may change', async () => {
    const { body, statements } = await get(contributor);
    assert.ok(
      statements.some((s) => /from "action"/.test(s.sql)),
      'the live report is read for a contributor',
    );
    assert.match(body, /Change<span class="govuk-visually-hidden"> key action 1/);
    assert.doesNotMatch(body, /data-qa="edit-report"/);
  });

  it('renders a body stored by another renderer again, and keeps the new one', async () => {
    const row = (await storedRow())!;
    await setStored('an-older-renderer', withText(row.body, 'PUBLISHEDSUMMARY', 'STALEBODY'));
    const { text, statements } = await get(editor);
    assert.match(text, /PUBLISHEDSUMMARY of 2009-10-h2/);
    assert.doesNotMatch(text, /STALEBODY/);
    assert.ok(
      statements.some((s) => /from "report_revision"/.test(s.sql)),
      'the revision is read to render it',
    );
    const after = (await storedRow())!;
    assert.equal(after.renderer, digest);
    assert.deepEqual(after.body, row.body);

    // A renderer of another version (a template or presenter changed) does not serve this one's body.
    const services = buildServices(
      { db: t().db, units: t().units },
      {
        reportBodies: createReportBodyRenderer({ version: 'a-newer-renderer' }),
      },
    );
    const newer = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db: t().db,
      units: t().units,
      services,
    });
    try {
      await setStored(digest, withText(row.body, 'PUBLISHEDSUMMARY', 'STALEBODY'));
      assert.doesNotMatch((await get(viewer, undefined, newer)).text, /STALEBODY/);
      assert.equal((await storedRow())!.renderer, 'a-newer-renderer');
    } finally {
      await newer.close();
    }
    await get(viewer);
    assert.equal((await storedRow())!.renderer, digest, 'and back again');
  });

  it('renders and keeps the body of a revision published before bodies were stored', async () => {
    await sql`delete from report_rendering where revision_id = ${revisionId}`.execute(t().db);
    const { text } = await get(viewer);
    assert.match(text, /PUBLISHEDSUMMARY of 2009-10-h2/);
    const row = await storedRow();
    assert.equal(row?.renderer, digest);
    const again = await get(viewer);
    assert.ok(
      !again.statements.some((s) => /from "report_revision"|into "report_rendering"/.test(s.sql)),
      'the next reader is served the stored body',
    );
  });

  it('never lets another organisation read or write a stored body', async () => {
    const { units, services } = t();
    const other = await insertOrganisation(services);
    const seen = await units.run(
      async () =>
        (await sql<{ n: number }>`select count(*)::int as n from report_rendering`.execute(units.db)).rows[0]!.n,
      { organisationId: other.organisationId },
    );
    assert.equal(seen, 0, 'another organisation sees no stored body');
    const updated = await units.run(
      async () =>
        (await sql`update report_rendering set body = '{}'::jsonb where revision_id = ${revisionId}`.execute(units.db))
          .numAffectedRows,
      { organisationId: other.organisationId },
    );
    assert.equal(updated, 0n);
    await assert.rejects(
      units.run(
        async () =>
          sql`insert into report_rendering (organisation_id, revision_id, renderer, body)
              values (${actor.organisationId}, ${revisionId}, 'forged', '{}'::jsonb)
              on conflict (revision_id) do update set renderer = 'forged'`.execute(units.db),
        { organisationId: other.organisationId },
      ),
      /row-level security|violates/,
    );
    assert.equal((await storedRow())!.renderer, digest);
    // Its own organisation reads it.
    const own = await units.run(
      async () =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from report_rendering where revision_id = ${revisionId}`.execute(units.db)
        ).rows[0]!.n,
      { organisationId: actor.organisationId },
    );
    assert.equal(own, 1);
  });
});
