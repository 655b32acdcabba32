// The `amber` command as a person runs it: separate processes on an embedded data folder.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_NODE_FLAGS } from '../../test/helpers/cli-node.ts';
import { copyCliDataFolder } from '../../test/helpers/cli-data-folder.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/amber.js');

describe('the amber command', () => {
  let dir: string;
  const env = () => ({
    ...process.env,
    AMBER_DATA_DIR: join(dir, 'data'),
    DATABASE_URL: '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
  });
  const amber = (...args: string[]) =>
    spawnSync(process.execPath, [...CLI_NODE_FLAGS, bin, ...args], {
      cwd: dir,
      env: env(),
      encoding: 'utf8',
      timeout: 180_000,
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'amber-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the demo once and says so the second time', () => {
    const first = amber('demo');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Loaded the demo organisation: Leeds City Council/);
    const second = amber('demo');
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /already loaded/);
  });

  it('creates organisations for an operator, each at its own address, and accounts in them', () => {
    const made = amber('organisation', 'create', 'Wakefield Council', '--admin', 'admin@wakefield.example');
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /Created Wakefield Council: its pages are at \/o\/wakefield-council\//);
    assert.match(made.stdout, /Its administrator is admin@wakefield\.example\. Password: \S{12,}/);

    const bad = amber(
      'organisation',
      'create',
      'Calderdale Council',
      '--slug',
      'Calder Dale',
      '--admin',
      'not an address',
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /slug: The web address name must be lowercase/);
    assert.match(bad.stderr, /Nothing has been changed/);

    const user = amber(
      'user',
      'create',
      'op@wakefield.example',
      '--organisation',
      'wakefield-council',
      '--role',
      'viewer',
      '--operator',
    );
    assert.equal(user.status, 0, user.stderr);
    assert.match(user.stdout, /Created op@wakefield\.example \(viewer, operator\) in Wakefield Council/);

    const list = amber('organisation', 'list');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^leeds\tLeeds City Council\t\(home\)$/m);
    assert.match(list.stdout, /^wakefield-council\tWakefield Council$/m);
    assert.doesNotMatch(list.stdout, /Calderdale/, 'the refused organisation was not made');
  });

  for (const [format, magic] of [
    ['pdf', '%PDF'],
    ['docx', 'PK'],
    ['json', '{'],
    ['html', '<!DOCTYPE html>'],
  ] as const) {
    it(`renders the VfM-4d report as ${format}`, () => {
      const out = join(dir, `r.${format}`);
      const res = amber('render', 'VfM-4d', '2009-10-h1', '--format', format, '--out', out);
      assert.equal(res.status, 0, res.stderr);
      assert.ok(readFileSync(out).subarray(0, magic.length).toString() === magic, `${out} starts with ${magic}`);
    });
  }

  it('says which priority or period does not exist, and exits 1', () => {
    const res = amber('render', 'NOPE', '2009-10-h1', '--format', 'pdf', '--out', join(dir, 'x.pdf'));
    assert.equal(res.status, 1);
    assert.match(res.stderr, /There is no improvement priority NOPE/);
    const period = amber('render', 'VfM-4d', '2009-10-h7', '--format', 'pdf', '--out', join(dir, 'x.pdf'));
    assert.equal(period.status, 1);
    assert.match(period.stderr, /There is no reporting period 2009-10-h7/);
    assert.equal(existsSync(join(dir, 'x.pdf')), false);
  });

  it('refuses an unknown command or format with usage, not a stack trace', () => {
    const res = amber('frobnicate');
    assert.equal(res.status, 2);
    assert.match(res.stderr, /unknown command "frobnicate"[\s\S]*Usage: amber/);
    const format = amber('render', 'VfM-4d', '2009-10-h1', '--format', 'rtf', '--out', join(dir, 'x.rtf'));
    assert.equal(format.status, 1);
    assert.match(format.stderr, /--format must be html, pdf, docx or json/);
  });

  it('refuses a second process on the same data folder while the server runs', async () => {
    const server = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: dir, env: env() });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
        server.stdout.on('data', (d) => {
          out += d;
          if (/Amber is running at/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        server.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`server exited ${code}: ${out}`));
        });
      });
      const second = amber('demo');
      assert.equal(second.status, 1);
      assert.match(second.stderr, /Another Amber process \(PID \d+, since .*\) is already using the data folder/);
      assert.match(second.stderr, /Two processes on one embedded database folder lose data/);
    } finally {
      // A server that failed to start has exited already: waiting for its exit would hang the file.
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGTERM');
        await new Promise((resolve) => server.once('exit', resolve));
      }
    }
    // The lock goes with the process: the folder is usable again.
    const after = amber('demo');
    assert.equal(after.status, 0, after.stderr);
  });
});

describe('amber export and import', () => {
  let dir: string;
  const env = (data: string) => ({
    ...process.env,
    AMBER_DATA_DIR: join(dir, data),
    DATABASE_URL: '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
  });
  const amber = (data: string, ...args: string[]) =>
    spawnSync(process.execPath, [...CLI_NODE_FLAGS, bin, ...args], {
      cwd: dir,
      env: env(data),
      encoding: 'utf8',
      timeout: 180_000,
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'amber-transfer-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // A first start on a new folder (the template unpacked, then migrated) is the first test's above;
  // these commands start on copies of a folder as a first start leaves it
  // (test/helpers/cli-data-folder.ts): each new folder's first start cost as much as a command.
  const folder = (data: string) => copyCliDataFolder('empty', join(dir, data));

  it('moves the whole organisation to another database losslessly', async () => {
    await folder('a');
    await folder('b');
    assert.equal(amber('a', 'demo').status, 0);
    const exported = amber('a', 'export', '--out', join(dir, 'a.json'));
    assert.equal(exported.status, 0, exported.stderr);
    const imported = amber('b', 'import', join(dir, 'a.json'));
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /Imported organisation/);
    assert.equal(amber('b', 'export', '--out', join(dir, 'b.json')).status, 0);
    const strip = (f: string) => ({ ...JSON.parse(readFileSync(join(dir, f), 'utf8')), exportedAt: undefined });
    // The audit trail travels too; b's ends with the import's own event.
    const b = strip('b.json');
    const own = b.auditTrail.pop();
    assert.deepEqual([own.action, own.actor, own.entity], ['import', 'cli', 'organisation']);
    assert.deepEqual(b, strip('a.json'));
  });

  it('reports every problem of a broken file by path and changes nothing', async () => {
    await folder('c');
    const broken = join(root, 'test/fixtures/transfer/several-problems.json');
    const res = amber('c', 'import', broken);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /problem/i);
    assert.match(res.stderr, /Nothing has been changed/);
    assert.match(res.stderr, /^ {2}reports\[0\]\.actions\[0\]\.milestones\[0\]\.timescale: /m);
    assert.ok(res.stderr.split('\n').filter((l) => /^ {2}\S/.test(l)).length >= 5, res.stderr);
    const after = amber('c', 'export', '--out', join(dir, 'c.json'));
    assert.equal(after.status, 1, 'the database is still empty');
    assert.match(after.stderr, /no organisation yet/);
  });

  it('refuses a file whose published revision snapshot is malformed, naming its path, and changes nothing', async () => {
    await folder('e');
    // The file of the first test; its VfM-4d report has a published revision.
    const file = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    const at = file.reports.findIndex((r: { workflow?: { revisions?: unknown[] } }) => r.workflow?.revisions?.length);
    assert.ok(at >= 0, 'the demo export has a published revision');
    const revisions = file.reports[at].workflow.revisions;
    const revision = revisions[0];
    assert.equal(revision.format, 2);
    // Today's form (a typed snapshot under `content`): a status with no label, a director whose name is an object...
    const now = structuredClone(revision);
    now.content.report.status = { key: 'amber' };
    now.content.priority.accountableDirector = { name: { first: 'James' } };
    // ...and, as tried in issue 9, the form files had before (the view model under `view`), as a second revision.
    const { content: _content, format: _format, ...rest } = structuredClone(revision);
    const old = {
      ...rest,
      number: 2,
      view: { ...revision.content, accountableDirector: { name: { first: 'James' } } },
    };
    file.reports[at].workflow.revisions = [now, old];
    writeFileSync(join(dir, 'malformed.json'), JSON.stringify(file));
    // One run (each costs a process start): every problem is named, and nothing is imported.
    const refused = amber('e', 'import', join(dir, 'malformed.json'));
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, /Nothing has been changed/);
    const path = (n: number, rest: string) =>
      new RegExp(`^ {2}reports\\[${at}\\]\\.workflow\\.revisions\\[${n}\\]\\.${rest}`, 'm');
    assert.match(refused.stderr, path(0, 'content\\.report\\.status\\.label: '));
    assert.match(refused.stderr, path(0, 'content\\.priority\\.accountableDirector\\.name: '));
    assert.match(refused.stderr, path(1, 'view\\.'));
  });

  it('applies the forms’ limits to an imported file: over-long text, deep nesting and a huge file are refused by name', async () => {
    await folder('f');
    const file = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    // A form refuses a summary over 200,000 characters; so does the file (a 150 MB one once crashed the server).
    file.reports[0].summary = 'x'.repeat(200_001);
    file.reports[0].achievements = Array.from({ length: 201 }, (_, i) => `Achievement ${i}`);
    writeFileSync(join(dir, 'long.json'), JSON.stringify(file));
    const long = amber('f', 'import', join(dir, 'long.json'));
    assert.equal(long.status, 1, long.stdout);
    assert.match(long.stderr, /^ {2}reports\[0\]\.summary: Report summary must be 200,000 characters or fewer$/m);
    assert.match(long.stderr, /^ {2}reports\[0\]\.achievements: A report can list at most 200 achievements$/m);
    assert.match(long.stderr, /Nothing has been changed/);

    // Nested 200,000 deep: a message naming where, not a RangeError's stack.
    writeFileSync(
      join(dir, 'deep.json'),
      `{"format":"amber.organisation.v1","reports":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
    );
    const deep = amber('f', 'import', join(dir, 'deep.json'));
    assert.equal(deep.status, 1, deep.stdout);
    assert.match(deep.stderr, /nests deeper than 64 levels/);
    assert.match(deep.stderr, /reports(\[0\]){63}/);
    assert.doesNotMatch(deep.stderr, /RangeError|^\s+at /m);

    // Bigger than the setting: refused before it is read.
    file.reports[0].summary = 'x'.repeat(1_100_000);
    writeFileSync(join(dir, 'big.json'), JSON.stringify(file));
    const big = spawnSync(process.execPath, [...CLI_NODE_FLAGS, bin, 'import', join(dir, 'big.json')], {
      cwd: dir,
      env: { ...env('f'), AMBER_MAX_IMPORT_MB: '1' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(big.status, 1, big.stdout);
    assert.match(
      big.stderr,
      /big\.json is [\d.]+ MB: an organisation file may be at most 1 MB \(AMBER_MAX_IMPORT_MB\)/,
    );
    assert.equal(amber('f', 'export', '--out', join(dir, 'f.json')).status, 1, 'nothing was imported');
  });

  it('says plainly when the file is not JSON', () => {
    const res = amber('d', 'import', join(root, 'README.md'));
    assert.equal(res.status, 1);
    assert.match(res.stderr, /is not a readable JSON file/);
  });

  it('checks the file before it opens a database: a missing or broken file is refused by name, and no data folder is made', () => {
    // 'new' is no folder yet: opening its database would make one (from the template).
    const none = amber('new', 'import', join(dir, 'missing.json'));
    assert.equal(none.status, 1, none.stdout);
    assert.match(none.stderr, /^\S*missing\.json cannot be read: there is no such file\. Nothing has been changed\.$/m);
    const folder = amber('new', 'import', dir);
    assert.equal(folder.status, 1, folder.stdout);
    assert.match(folder.stderr, /cannot be read: it is a folder, not a file\./);

    const broken = join(root, 'test/fixtures/transfer/several-problems.json');
    const res = amber('new', 'import', broken);
    assert.equal(res.status, 1, res.stdout);
    assert.equal(existsSync(join(dir, 'new')), false, 'the file was checked before a database was opened');
    assert.match(
      res.stderr,
      /^\S*several-problems\.json cannot be imported: \d+ problems need correcting\. Nothing has been changed\.$/m,
    );
    assert.match(res.stderr, /^ {2}reports\[0\]\.actions\[0\]\.milestones\[0\]\.timescale: /m);

    writeFileSync(join(dir, 'other-format.json'), JSON.stringify({ format: 'amber.backup' }));
    const other = amber('new', 'import', join(dir, 'other-format.json'));
    assert.equal(other.status, 1, other.stdout);
    assert.match(other.stderr, /^\S*other-format\.json cannot be imported:$/m);
    assert.match(other.stderr, /^ {2}format: This is not an Amber organisation file: its "format" is "amber\.backup"/m);

    // A file to write goes into a folder that must be there.
    const out = amber('new', 'export', '--out', join(dir, 'no-such-folder', 'x.json'));
    assert.equal(out.status, 1, out.stdout);
    assert.equal(existsSync(join(dir, 'new')), false, 'the folder was checked before a database was opened');
    assert.match(out.stderr, /x\.json cannot be written: there is no folder \S*no-such-folder\.$/m);
  });
});
