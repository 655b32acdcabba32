// The implementation plan's Gantt chart on paper (issue 13): printed from Chromium on A4 portrait,
// the chart shrinks to the page's width instead of being cut at its right edge, every text of it
// stays at 9 pt or more, its month labels never touch, every project's name is there in full, and
// a project that starts before the one it depends on ends is warned about on the printed page.
// The demo's plan is given a long project with a long name over five years, so the labels must be
// thinned and the name wrapped. axe-core runs on the page as the screen shows it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSession, type Session } from './support/browser.ts';
import { signInAs } from './support/sign-in.ts';
import { efficiencyScreens as S } from './pages/efficiency-pages.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

/** A4 portrait in PostScript points, and the margins printed with (wider than Chromium's own). */
const A4 = { width: 595.28, height: 841.89 };
const MARGIN_MM = 15;
const MARGIN_PT = (MARGIN_MM / 25.4) * 72;
/** The smallest text a printed chart may have. */
const MIN_PT = 9;
const LONG_NAME = 'Replace the finance, payroll and procurement systems with one integrated cloud platform';

describe('the Gantt chart printed on A4', { timeout: 300_000 }, () => {
  let session: Session;
  let ex: string;
  let folder: string;
  before(async () => {
    session = await startSession();
    folder = mkdtempSync(join(tmpdir(), 'amber-gantt-print-'));
    const { services } = session.testApp;
    const actor = systemActor((await services.organisations.getHome()).id, 'test');
    ex = (await services.diagnostics.listExercises(actor))[0]!.id;
    const { projects } = await services.efficiency.plan(actor, ex);
    const system = projects.find((p) => p.name === 'New finance system');
    assert.ok(system, 'the demo plans a new finance system');
    // Starts in September 2010, before the new finance system ends (December 2010).
    await services.efficiency.createProject(actor, ex, {
      caseId: system.caseId,
      name: LONG_NAME,
      startsOn: '1 September 2010',
      endsOn: '31 March 2015',
      dependsOn: [system.id],
    });
  });
  after(async () => {
    await session?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('fits the page, keeps its text at 9 pt or more with labels apart and names whole, and prints the warning', async () => {
    const { page, baseUrl } = session;
    await signInAs(page, baseUrl, 'performance_officer');
    await S.plan(page).visit(paths.efficiency.plan(ex));

    // As Chromium lays the page out for A4: the printable width in CSS pixels (96 to the inch).
    const printable = Math.floor(((A4.width - 2 * MARGIN_PT) / 72) * 96);
    await page.setViewportSize({ width: printable, height: 1000 });
    await page.emulateMedia({ media: 'print' });
    const drawn = await page.evaluate(() => {
      const svg = document.querySelector('[data-qa="gantt"] svg') as SVGSVGElement;
      const box = svg.getBoundingClientRect();
      const scale = box.width / svg.viewBox.baseVal.width;
      const texts = [...svg.querySelectorAll('text')].map((t) => parseFloat(t.getAttribute('font-size')!) * scale);
      const months = [...svg.querySelectorAll(':scope > text')]
        .filter((t) => t.getAttribute('fill') === '#505a5f')
        .map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? '', left: r.left, right: r.right };
        });
      const names = [...svg.querySelectorAll(':scope > text')]
        .filter((t) => t.querySelector('tspan'))
        .map((t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join(' '));
      return {
        width: box.width,
        right: box.right,
        pageWidth: document.documentElement.clientWidth,
        smallestPx: Math.min(...texts),
        months,
        names,
      };
    });
    assert.ok(
      drawn.right <= drawn.pageWidth + 0.5,
      `the chart (${drawn.right}px) fits the page (${drawn.pageWidth}px)`,
    );
    // CSS pixels to points: 72 / 96.
    assert.ok(
      drawn.smallestPx * 0.75 >= MIN_PT,
      `the smallest text prints at ${(drawn.smallestPx * 0.75).toFixed(1)} pt`,
    );
    assert.ok(drawn.months.length >= 3, 'the months are labelled');
    assert.ok(
      drawn.months.every((m) => /^\d{4}$/.test(m.text)) || drawn.months.length <= 12,
      'five years of months are thinned',
    );
    for (let i = 1; i < drawn.months.length; i += 1)
      assert.ok(
        drawn.months[i - 1]!.right < drawn.months[i]!.left,
        `“${drawn.months[i - 1]!.text}” and “${drawn.months[i]!.text}” touch`,
      );
    assert.ok(drawn.names.includes(LONG_NAME), 'the long name is wrapped, never cut');

    // The PDF itself: every label and every word of every name on the page, inside its margins.
    const pdf = join(folder, 'plan.pdf');
    writeFileSync(
      pdf,
      await page.pdf({
        format: 'A4',
        margin: { top: `${MARGIN_MM}mm`, bottom: `${MARGIN_MM}mm`, left: `${MARGIN_MM}mm`, right: `${MARGIN_MM}mm` },
        printBackground: true,
      }),
    );
    const words = [
      ...execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8' }).matchAll(
        /<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g,
      ),
    ].map((m) => ({ left: Number(m[1]), right: Number(m[2]), text: m[3]!.replace(/&amp;/g, '&') }));
    // Each word of the chart printed somewhere within the margins (the table below may repeat it).
    const within = new Set(
      words.filter((w) => w.left >= MARGIN_PT - 1 && w.right <= A4.width - MARGIN_PT + 1).map((w) => w.text),
    );
    for (const word of [...drawn.months.flatMap((m) => m.text.split(' ')), ...LONG_NAME.split(' ')])
      assert.ok(within.has(word), `“${word}” is printed within the margins`);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.match(
      text,
      /Replace the finance, payroll and procurement systems with one integrated cloud platform starts on 1 September 2010, before New finance system, which it depends on, ends on 31 December 2010/,
      'the dependency warning is printed',
    );
  });
});
