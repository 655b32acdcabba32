// The job queue in PostgreSQL (issue 4), on both engines: claiming is exclusive, failures keep
// their message, progress is stored.

import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine, jobDatabase, type TestDatabase } from './helpers/database.ts';
import { createJobQueue, type JobHandler } from '../src/platform/jobs/jobs.ts';
import { observeStatements } from '../src/platform/db/database.ts';

async function organisation(t: TestDatabase, name: string): Promise<string> {
  const row = await t.db
    .insertInto('organisation')
    .values({ name, short_name: null, kind: 'council', managed_by_id: null, slug: `jobs-${randomUUID()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describeOnEachEngine('background jobs', (t) => {
  it('never runs one job twice when two workers poll the same queue', async () => {
    const org = await organisation(t(), 'Queue council');
    const a = createJobQueue(jobDatabase(t()), 'worker-a');
    const b = createJobQueue(jobDatabase(t()), 'worker-b');
    for (let i = 0; i < 20; i++) await a.enqueue('count', org, { i });
    const runs: { id: string; by: string }[] = [];
    const handler =
      (by: string): JobHandler =>
      async ({ job }) => {
        runs.push({ id: job.id, by });
        await new Promise((r) => setTimeout(r, 2));
      };
    const wa = a.startWorker({ handlers: { count: handler('a') }, pollMs: 5 });
    const wb = b.startWorker({ handlers: { count: handler('b') }, pollMs: 5 });
    for (let i = 0; i < 400; i++) {
      const { n } = await t()
        .db.selectFrom('job')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', 'count')
        .where('status', '=', 'done')
        .executeTakeFirstOrThrow();
      if (Number(n) === 20) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all([wa.stop(), wb.stop()]);
    assert.equal(runs.length, 20);
    assert.equal(new Set(runs.map((r) => r.id)).size, 20, 'each job ran exactly once');
    const attempts = await t().db.selectFrom('job').select('attempts').where('kind', '=', 'count').execute();
    assert.ok(attempts.every((r) => r.attempts === 1));
  });

  it('runs a job as its organisation: row-level security shows it only that organisation’s rows', async () => {
    const mine = await organisation(t(), 'Job council');
    const theirs = await organisation(t(), 'Other council');
    const queue = createJobQueue(jobDatabase(t()));
    const own = await queue.enqueue('look', mine, {});
    const other = await queue.enqueue('look', theirs, {});
    let seen: string[] = [];
    assert.equal(
      await queue.runOne({
        look: () =>
          t().units.run(async () => {
            seen = (await t().units.db.selectFrom('job').select('id').execute()).map((r) => r.id);
          }),
      }),
      true,
    );
    assert.ok(seen.includes(own.id), 'it sees its own organisation’s job');
    assert.ok(!seen.includes(other.id), 'and not another organisation’s');
    // Outside a job, a unit acting for nobody (the operator's) sees both: the job's scope is its own.
    const all = await t().units.run(async () =>
      (await t().units.db.selectFrom('job').select('id').execute()).map((r) => r.id),
    );
    assert.ok(all.includes(other.id) && all.includes(own.id));
    // The other organisation's job is still queued, and is the next one claimed.
    const next = await queue.claim();
    assert.equal(next?.id, other.id, `claimed ${next ? `${next.kind} ${next.status}` : 'nothing'} instead`);
    await queue.run(next, { look: async () => undefined });
  });

  /** Claims the next job, which must be `job`: a test's job is never run by another's handlers. */
  async function claimOwn(queue: ReturnType<typeof createJobQueue>, job: { id: string }) {
    const claimed = await queue.claim();
    const left = await t().db.selectFrom('job').select(['kind', 'status']).where('status', '!=', 'done').execute();
    assert.equal(claimed?.id, job.id, `claimed ${claimed?.kind ?? 'nothing'}; not done: ${JSON.stringify(left)}`);
    return claimed;
  }

  it('marks a job failed with the message its handler threw', async () => {
    const org = await organisation(t(), 'Failing council');
    const queue = createJobQueue(jobDatabase(t()));
    const job = await queue.enqueue('boom', org, {});
    await queue.run(await claimOwn(queue, job), {
      boom: async () => {
        throw new Error('The period has no reports');
      },
    });
    const after = await queue.find(org, job.id);
    assert.equal(after?.status, 'failed');
    assert.equal(after?.error, 'The period has no reports');
    assert.ok(after?.finishedAt);
  });

  it('stores progress while a job runs, and its files for the organisation only', async () => {
    const org = await organisation(t(), 'Progress council');
    const other = await organisation(t(), 'Other council');
    const queue = createJobQueue(jobDatabase(t()));
    const job = await queue.enqueue('steps', org, { n: 2 });
    let seen: { progress: number; message: string } | undefined;
    await queue.run(await claimOwn(queue, job), {
      steps: async (ctx) => {
        await ctx.progress(40, 'Half way there');
        const mid = await queue.find(org, ctx.job.id);
        seen = { progress: mid!.progress, message: mid!.message };
        await ctx.storeFile({ name: 'out.txt', contentType: 'text/plain', bytes: Buffer.from('hello') });
        return 'All done';
      },
    });
    assert.deepEqual(seen, { progress: 40, message: 'Half way there' });
    const done = await queue.find(org, job.id);
    assert.equal(done?.status, 'done');
    assert.equal(done?.progress, 100);
    assert.equal(done?.message, 'All done');
    const files = await queue.files(org, job.id);
    assert.equal(files.length, 1);
    assert.equal((await queue.file(org, files[0]!.id))?.bytes.toString(), 'hello');
    assert.equal(await queue.file(other, files[0]!.id), undefined);
    assert.equal(await queue.find(other, job.id), undefined);
  });

  it("leaves a job's input unread when queueing it and showing its page: its worker, and a reader that asks, read it", async () => {
    // A big import's checked values are megabytes, and its page is asked for again and again.
    const org = await organisation(t(), 'Input council');
    const queue = createJobQueue(jobDatabase(t()));
    const input = { values: Array.from({ length: 500 }, (_, i) => ({ i, comment: `value ${i}` })) };
    const statements: string[] = [];
    const stop = observeStatements(t().db, (s) => statements.push(s.sql));
    let queued, shown;
    try {
      queued = await queue.enqueue('big', org, input);
      shown = await queue.find(org, queued.id);
    } finally {
      stop();
    }
    assert.equal(shown?.id, queued.id);
    assert.equal(shown.status, 'queued');
    assert.ok(!('input' in queued) && !('input' in shown), 'the state read back carries no input');
    const insert = statements.find((s) => /^insert into "job"/.test(s));
    const select = statements.find((s) => /^select .* from "job"/.test(s));
    assert.ok(insert && select, statements.join('\n'));
    assert.doesNotMatch(insert.split(' returning ')[1] ?? '*', /"input"|\*/, insert);
    assert.doesNotMatch(select, /"input"|select \*/, select);
    assert.deepEqual((await queue.findWithInput(org, queued.id))?.input, input);
    assert.equal(await queue.findWithInput(randomUUID(), queued.id), undefined, "another organisation's job");
    const claimed = await claimOwn(queue, queued);
    assert.deepEqual(claimed?.input, input);
    await queue.run(claimed, { big: async () => 'Done' });
  });

  it('returns nothing to claim when the queue is empty', async () => {
    const queue = createJobQueue(jobDatabase(t()));
    while (await queue.claim()) {
      /* drain anything left by other tests */
    }
    assert.equal(await queue.claim(), undefined);
  });
});

describeOnEachEngine('background jobs whose worker died', (t) => {
  // A worker "dies" by claiming a job and never finishing it; its lease then runs out.
  const expireLease = (id: string) =>
    t()
      .db.updateTable('job')
      .set({ started_at: new Date(Date.now() - 60 * 60_000) })
      .where('id', '=', id)
      .execute();

  it('lets another worker take over a running job once its lease has run out', async () => {
    const org = await organisation(t(), 'Takeover council');
    const dead = createJobQueue(jobDatabase(t()), 'dead-worker');
    const alive = createJobQueue(jobDatabase(t()), 'live-worker');
    while (await alive.claim()) {
      /* drain anything left by other tests */
    }
    const job = await dead.enqueue('resume', org, {});
    assert.equal((await dead.claim())?.id, job.id);
    assert.equal(await alive.claim(), undefined, 'a job within its lease is not taken over');
    await expireLease(job.id);
    const taken = await alive.claim();
    assert.equal(taken?.id, job.id);
    assert.equal(taken?.attempts, 2);
    assert.equal(await createJobQueue(jobDatabase(t()), 'third-worker').claim(), undefined, 'it is taken over once');
    // The dead worker's late progress does not renew a lease it no longer holds.
    await dead.reportProgress(job.id, 50, 'Zombie');
    assert.equal((await alive.find(org, job.id))?.message, '');
    await alive.complete(job.id, 'Finished after a restart');
    assert.equal((await alive.find(org, job.id))?.status, 'done');
  });

  it('renews the lease when the worker reports progress', async () => {
    const org = await organisation(t(), 'Renewing council');
    const worker = createJobQueue(jobDatabase(t()), 'slow-worker', { leaseMs: 60_000 });
    const other = createJobQueue(jobDatabase(t()), 'other-worker', { leaseMs: 60_000 });
    while (await other.claim()) {
      /* drain */
    }
    const job = await worker.enqueue('slow', org, {});
    await worker.claim();
    await expireLease(job.id);
    await worker.reportProgress(job.id, 10, 'Still going');
    assert.equal(await other.claim(), undefined);
    assert.equal((await worker.find(org, job.id))?.status, 'running');
  });

  it('fails a job for good after its worker died on it three times', async () => {
    const org = await organisation(t(), 'Crashing council');
    const queue = createJobQueue(jobDatabase(t()), 'crashing-worker');
    while (await queue.claim()) {
      /* drain */
    }
    const job = await queue.enqueue('crash', org, {});
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await queue.claim();
      assert.equal(claimed?.id, job.id);
      assert.equal(claimed?.attempts, attempt);
      await expireLease(job.id);
    }
    assert.equal(await queue.claim(), undefined);
    const failed = await queue.find(org, job.id);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.attempts, 3);
    assert.match(failed?.error ?? '', /stopped 3 times/);
    assert.ok(failed?.finishedAt);
  });
});
