// Uploads that a tester sent to crash, fool or flood the server (issue 10), each reproduced: the
// form's token travels in the body (first field), not the address; malformed multipart is a 400
// with a plain message; a viewer's big upload is refused before it is read; a workbook that
// unpacks to far more than it weighs, merged cells and formulas with no saved result are refused
// by name; and none of it changes a row.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import ExcelJS from 'exceljs';
import { mergedOverAValue, zipBomb } from '../src/platform/spreadsheet-fixtures.test-helper.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { errorSummary } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { withoutSecrets } from '../src/app.ts';
import { systemActor } from '../src/domain/actor.ts';

const BOUNDARY = '----amber-hostile';
const field = (name: string, value: string) =>
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
const filePart = (name: string, data: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    data,
    Buffer.from('\r\n'),
  ]);
const end = Buffer.from(`--${BOUNDARY}--\r\n`);
const multipartHeaders = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

/** What the database holds, without the security log (a refused token is recorded there by design). */
async function data(t: TestApp) {
  const { security_event: _log, sessions: _s, ...rest } = await fingerprint(t.db);
  return rest;
}

/** The status line and headers of the answer to a request of which only `head` and `start` are sent. */
function firstAnswer(port: number, head: string, start: Buffer): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      socket.write(start);
    });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error('no answer while the body was still unsent')), 20_000).unref();
  });
}

async function xlsx(fill: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  fill(book.addWorksheet('Values'));
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('hostile and unlucky uploads', () => {
  let t: TestApp;
  let before_: Record<string, string>;
  before(async () => {
    t = await buildTestApp('pglite');
    const actor = systemActor((await t.services.organisations.getHome()).id, 't');
    await t.services.periods.ensure(actor, '2009-10-q1');
    await t.services.periods.ensure(actor, '2009-10-q2');
    await t.services.indicators.create(actor, {
      code: 'HOS 1',
      title: 'Calls answered',
      unitKind: 'percentage',
      decimalPlaces: '1',
      polarity: 'higher',
      ruleKind: 'percent',
      tolerance: '5',
      chartKind: 'line',
      frequency: 'quarterly',
    });
    before_ = await data(t);
  });
  after(async () => t?.close());

  /** A signed-in browser's upload: the session cookie, and the token only where the form puts it. */
  const browserUpload = (url: string, body: Buffer) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { ...multipartHeaders, cookie: t.session!.headers.cookie },
    });

  it('takes the form’s token from its first field, and never from the address', async () => {
    const csv = Buffer.from('PI No,Q1\r\nHOS 1,50\r\n');
    const page = await t.app.inject({ url: paths.indicators.import });
    assert.doesNotMatch(page.body, /_csrf=/, 'no upload form puts the token in its address');
    assert.match(page.body, /enctype="multipart\/form-data"[^>]*>\s*<input type="hidden" name="_csrf"/);

    const inQuery = await t.app.inject({
      method: 'POST',
      url: `${paths.indicators.import}?_csrf=${t.session!.csrfToken}`,
      payload: Buffer.concat([field('year', '2009'), filePart('v.csv', csv), end]),
      headers: { ...multipartHeaders, cookie: t.session!.headers.cookie },
    });
    assert.equal(inQuery.statusCode, 403);
    // A file sent before the token is not read: refused.
    const fileFirst = await browserUpload(
      paths.indicators.import,
      Buffer.concat([filePart('v.csv', csv), field('_csrf', t.session!.csrfToken), field('year', '2009'), end]),
    );
    assert.equal(fileFirst.statusCode, 403);
    const wrong = await browserUpload(
      paths.indicators.import,
      Buffer.concat([field('_csrf', 'not-the-token'), field('year', '2009'), filePart('v.csv', csv), end]),
    );
    assert.equal(wrong.statusCode, 403);
    assert.deepEqual(await data(t), before_, 'nothing was imported');

    const good = await browserUpload(
      paths.indicators.import,
      Buffer.concat([field('_csrf', t.session!.csrfToken), field('year', '2009'), filePart('v.csv', csv), end]),
    );
    assert.equal(good.statusCode, 303, good.body.slice(0, 500));
    assert.match(good.headers.location!, /imported=1/);
    // The rest compare with what the database holds now.
    before_ = await data(t);
  });

  it('answers malformed multipart with 400 and a plain message, never a 500 or a stack', async () => {
    const cases: [string, Record<string, string>, Buffer][] = [
      ['no boundary', { 'content-type': 'multipart/form-data' }, Buffer.from('whatever')],
      [
        'cut short',
        multipartHeaders,
        Buffer.concat([field('year', '2009'), filePart('v.csv', Buffer.from('PI No,Q1\r\n')).subarray(0, 60)]),
      ],
      ['not multipart inside', multipartHeaders, Buffer.from('{"year":"2009"}')],
    ];
    for (const [what, headers, payload] of cases) {
      for (const url of [paths.indicators.import, paths.indicators.definitionsImport]) {
        const res = await t.app.inject({
          method: 'POST',
          url,
          payload,
          headers: { ...headers, ...t.session!.headers },
        });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what} ${url}: ${res.statusCode}`);
        assert.doesNotMatch(res.body, /\s+at [\w.<>]+ \(|node_modules/, `${what}: no stack trace`);
      }
    }
    const res = await t.app.inject({
      method: 'POST',
      url: paths.indicators.import,
      payload: cases[1]![2],
      headers: { ...multipartHeaders, ...t.session!.headers },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /The upload could not be read: it was cut short, or it is not a form upload/);
    assert.deepEqual(await data(t), before_);
  });

  it('lists the first 100 problems of a file and counts the rest', async () => {
    const csv = `PI No,Q1\r\n${Array.from({ length: 150 }, (_, i) => `NOPE ${i},50`).join('\r\n')}\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: paths.indicators.import,
      payload: Buffer.concat([field('year', '2009'), filePart('many.csv', Buffer.from(csv)), end]),
      headers: { ...multipartHeaders, ...t.session!.headers },
    });
    assert.equal(res.statusCode, 422);
    const listed = errorSummary(res.body);
    assert.equal(listed.length, 101);
    assert.match(listed[0]!, /Row 2, column PI No: There is no indicator NOPE 0 in Amber/);
    assert.match(listed[100]!, /and 50 more problems: correct those above and upload the file again to see them/);
    assert.deepEqual(await data(t), before_);
  });

  it('refuses merged cells in the data naming the range, instead of reading one cell’s value into two', async () => {
    const file = mergedOverAValue();
    const res = await t.app.inject({
      method: 'POST',
      url: paths.indicators.import,
      payload: Buffer.concat([field('year', '2009'), filePart('merged.xlsx', file), end]),
      headers: { ...multipartHeaders, ...t.session!.headers },
    });
    assert.equal(res.statusCode, 422);
    assert.deepEqual(errorSummary(res.body), [
      '#file Row 2: Cells B2:C2 are merged, so Amber cannot tell which of them the value belongs to: unmerge them and put each value in its own cell',
    ]);
    assert.deepEqual(await data(t), before_);
  });

  it('refuses a formula with no saved result naming the cell, and a workbook that unpacks to a gigabyte in well under a second', async () => {
    const formula = await xlsx((sheet) => {
      sheet.addRow(['PI No', 'Q1']);
      sheet.addRow(['HOS 1', { formula: '40+15' } as ExcelJS.CellFormulaValue]);
    });
    const upload = (name: string, bytes: Buffer) =>
      t.app.inject({
        method: 'POST',
        url: paths.indicators.import,
        payload: Buffer.concat([field('year', '2009'), filePart(name, bytes), end]),
        headers: { ...multipartHeaders, ...t.session!.headers },
      });
    const refused = await upload('formula.xlsx', formula);
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, /cell B2 holds a formula whose result was never saved/);
    assert.doesNotMatch(refused.body, /object Object/);

    // 300 MB of spaces in a sheet, zipped as a stream (so no size is declared up front): ~300 kB.
    const bomb = zipBomb(300);
    assert.ok(bomb.length < 1024 * 1024, `${bomb.length} bytes`);
    const rss = process.memoryUsage().rss;
    const res = await upload('bomb.xlsx', bomb);
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /The workbook unpacks to more than 100 MB, which is more than Amber reads/);
    assert.ok(process.memoryUsage().rss - rss < 300 * 1024 * 1024, 'the bomb was not unpacked into memory');
    assert.deepEqual(await data(t), before_);
  });

  it('refuses a viewer’s big diagnostic upload before reading its body', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const viewer = await t.signIn(['viewer']);
    const declared = 49 * 1024 * 1024;
    // The headers and the token, and nothing more: 49 MB are never sent.
    const answer = await firstAnswer(
      port,
      `POST ${paths.diagnostic.upload('00000000-0000-4000-8000-000000000000')} HTTP/1.1\r\nHost: x\r\nContent-Type: ${multipartHeaders['content-type']}\r\nContent-Length: ${declared}\r\nCookie: ${viewer.headers.cookie}\r\nX-CSRF-Token: ${viewer.csrfToken}\r\n\r\n`,
      field('_csrf', viewer.csrfToken),
    );
    assert.match(answer, /^HTTP\/1\.1 403/);

    // Nobody signed in, a form body of 5 MB promised: 401 before the body is read.
    const stranger = await firstAnswer(
      port,
      `POST ${paths.indicators.list} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${5 * 1024 * 1024 - 1}\r\n\r\n`,
      Buffer.from('title='),
    );
    assert.match(stranger, /^HTTP\/1\.1 401/);
  });

  it('keeps nobody waiting while an upload arrives slowly, at every upload door', async () => {
    // The upload's body is read before its unit of work touches the database: a transaction held
    // while a file trickles in kept PGlite's one connection, and so every other request, waiting
    // as long as the sender liked.
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const { csrfToken, headers } = t.session!;
    const unknownExercise = '00000000-0000-4000-8000-000000000000';
    const start = await data(t);
    const doors = [
      paths.indicators.import,
      paths.indicators.definitionsImport,
      paths.diagnostic.upload(unknownExercise),
      paths.api.exerciseUploads(unknownExercise),
    ];
    for (const url of doors) {
      const file = Buffer.from('Not,a,file,Amber,reads\r\n'.repeat(200));
      const body = Buffer.concat([field('_csrf', csrfToken), field('year', '2009'), filePart('slow.csv', file), end]);
      const half = body.length - file.length / 2;
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      const ended = new Promise<void>((resolve) => socket.on('close', resolve));
      try {
        socket.write(
          `POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Type: ${multipartHeaders['content-type']}\r\nContent-Length: ${body.length}\r\nCookie: ${headers.cookie}\r\nX-CSRF-Token: ${csrfToken}\r\nConnection: close\r\n\r\n`,
        );
        socket.write(body.subarray(0, half));
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Half the file sent, and the sender pauses: someone else's page is answered meanwhile.
        const waited = await Promise.race([
          t.app.inject({ url: paths.indicators.list }),
          new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 15_000).unref()),
        ]);
        assert.notEqual(waited, 'waiting', `${url}: another request waited for the upload's body`);
        assert.equal(typeof waited === 'string' ? 0 : waited.statusCode, 200);
        assert.equal(answer, '', `${url}: the upload was not answered before its body ended`);
        socket.write(body.subarray(half));
        await ended;
      } finally {
        socket.destroy();
      }
      // Then it is answered: refused (not a file of values, definitions or a workbook; no such exercise).
      assert.match(answer, /^HTTP\/1\.1 (404|422) /, `${url}: ${answer.slice(0, 200)}`);
    }
    assert.deepEqual(await data(t), start, 'nothing was imported');
  });

  it('keeps secrets out of logged addresses', () => {
    assert.equal(
      withoutSecrets('/indicators/import?_csrf=abc&year=2009'),
      '/indicators/import?_csrf=[redacted]&year=2009',
    );
    assert.equal(withoutSecrets('/password/reset/s3cret?x=1'), '/password/reset/[redacted]?x=1');
    assert.equal(withoutSecrets('/invitations/s3cret'), '/invitations/[redacted]');
    assert.equal(
      withoutSecrets('/sign-in/sso/callback?code=abc&state=def'),
      '/sign-in/sso/callback?code=[redacted]&state=[redacted]',
    );
  });
});
