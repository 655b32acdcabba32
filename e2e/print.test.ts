// Pages on paper (issue 13, "readable at A4"): councils print Amber's pages, or save them as PDF
// from the browser, for their meetings. Paper does not scroll, so a table that scrolls sideways on
// screen must fit the page when printed. Each page with wide content in the demo is printed by
// Chromium at A4 portrait: in print emulation at the width inside the page's margins, nothing
// reaches past its right edge (the document does not scroll, and no table, or anything else, ends
// beyond it) and no text is smaller than 9 pt; then the real PDF is made, and every word on it is
// inside the margins. Status stays in words and a shape on paper. axe-core runs on each page as the
// screen shows it (the page objects do that on arrival).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startSession, type Session } from './support/browser.ts';
import { Screen } from './pages/screen.ts';
import type { Heading } from './pages/base-page.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

/** A4 portrait in PostScript points, and the margins printed with (wider than Chromium's own). */
const A4 = { width: 595.28, height: 841.89 };
const MARGIN_MM = 15;
const MARGIN_PT = (MARGIN_MM / 25.4) * 72;
/** The width inside the margins in CSS pixels (96 to the inch, 72 points to the inch). */
const PRINTABLE_PX = Math.floor(((A4.width - 2 * MARGIN_PT) / 72) * 96);
/** The smallest text a printed page may have. */
const MIN_PT = 9;
/** When `KEEP_PRINTS` names a folder, the PDFs are left there to be looked at. */
const KEEP = process.env['KEEP_PRINTS'];

interface Printed {
  scrollWidth: number;
  width: number;
  /** Every table shown, with where its box starts and ends across the page. */
  tables: { name: string; left: number; right: number }[];
  /** Any other element (tables' insides aside) whose box ends beyond the page. */
  beyond: { name: string; right: number }[];
  /** Text smaller than 9 pt, with its size in points. */
  small: { text: string; pt: number }[];
  /** Chart texts cut by their chart's edge (the chart clips them, on screen and on paper). */
  cut: string[];
  /** Status tags printed, and those whose words cannot be seen on paper. */
  statuses: number;
  wordlessStatuses: number;
}

/** Measures the page as Chromium lays it out for print at the width inside the margins. */
async function measureForPrint(page: Page): Promise<Printed> {
  await page.setViewportSize({ width: PRINTABLE_PX, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  try {
    return await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const shown = (e: Element) => {
        const style = getComputedStyle(e);
        return style.display !== 'none' && style.visibility !== 'hidden' && e.getClientRects().length > 0;
      };
      // Visually hidden text (for screen readers) is clipped to a pixel: it is not on the paper.
      const clipped = (e: Element) => e.closest('.govuk-visually-hidden') !== null;
      const nameOf = (e: Element) => {
        const caption = e.querySelector('caption')?.textContent ?? e.getAttribute('aria-label') ?? '';
        const qa = e.getAttribute('data-qa') ?? e.closest('[data-qa]')?.getAttribute('data-qa') ?? '';
        return `${e.tagName.toLowerCase()}${qa ? `[data-qa=${qa}]` : ''}${caption ? ` “${caption.trim().slice(0, 60)}”` : ''}`;
      };
      const tables = [...document.querySelectorAll('table')].filter(shown).map((t) => {
        const box = t.getBoundingClientRect();
        return { name: nameOf(t), left: box.left, right: box.right };
      });
      const beyond = [...document.body.querySelectorAll('*')]
        // A table is reported once, as a table, rather than once for each of its rows and cells.
        .filter((e) => shown(e) && !clipped(e) && !e.closest('table'))
        .map((e) => ({ name: nameOf(e), right: e.getBoundingClientRect().right }))
        .filter((e) => e.right > width + 0.5);
      const small: { text: string; pt: number }[] = [];
      for (const e of document.body.querySelectorAll('*')) {
        const own = [...e.childNodes]
          .filter((n) => n.nodeType === Node.TEXT_NODE)
          .map((n) => n.textContent ?? '')
          .join('')
          .trim();
        if (!own || !shown(e) || clipped(e) || e.closest('script, style, noscript, title, desc')) continue;
        let px = parseFloat(getComputedStyle(e).fontSize);
        const svg = e.closest('svg');
        if (svg) {
          // A chart's text is drawn in its own units: what prints is that size times the chart's scale.
          const viewBox = svg.viewBox.baseVal;
          if (viewBox && viewBox.width > 0) px *= svg.getBoundingClientRect().width / viewBox.width;
        }
        if (px * 0.75 < 9 - 0.01) small.push({ text: own.slice(0, 40), pt: Math.round(px * 7.5) / 10 });
      }
      const cut: string[] = [];
      for (const svg of document.querySelectorAll('svg')) {
        if (!shown(svg)) continue;
        const frame = svg.getBoundingClientRect();
        for (const t of svg.querySelectorAll('text')) {
          const box = t.getBoundingClientRect();
          if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5) cut.push(t.textContent ?? '');
        }
      }
      const statuses = [...document.querySelectorAll('[data-qa="status"]')].filter(shown);
      return {
        scrollWidth: document.documentElement.scrollWidth,
        width,
        tables,
        beyond,
        small,
        cut,
        statuses: statuses.length,
        wordlessStatuses: statuses.filter((s) => (s as HTMLElement).innerText.trim() === '').length,
      };
    });
  } finally {
    // Not 'screen': page.pdf() would then print the screen's styles.
    await page.emulateMedia({ media: null });
    await page.setViewportSize({ width: 1280, height: 720 });
  }
}

interface Word {
  left: number;
  right: number;
  height: number;
  text: string;
}

/** The words Chromium prints on A4 (with the test's margins): where each lies, and how tall. */
async function printedWords(page: Page, file: string): Promise<Word[]> {
  writeFileSync(
    file,
    await page.pdf({
      format: 'A4',
      margin: { top: `${MARGIN_MM}mm`, bottom: `${MARGIN_MM}mm`, left: `${MARGIN_MM}mm`, right: `${MARGIN_MM}mm` },
      printBackground: true,
    }),
  );
  return [
    ...execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' }).matchAll(
      /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
    ),
  ].map((m) => ({
    left: Number(m[1]),
    right: Number(m[3]),
    height: Number(m[4]) - Number(m[2]),
    text: m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'),
  }));
}

/**
 * A word's box in pdftotext runs from its font's ascent to its descent: 1.12 em in Liberation Sans
 * (the sans-serif Chromium prints page text with here), 1.16 em in DejaVu Sans (the charts'). A
 * word shorter than 1.10 em of 9 pt was printed smaller than 9 pt, which is what Chromium does to
 * every word of a page wider than the sheet: it shrinks the whole page to fit.
 */
const MIN_WORD_HEIGHT_PT = MIN_PT * 1.1;

interface Ids {
  exercise: string;
  businessCase: { id: string; title: string };
  opportunity: string;
}

/** The demo's pages with wide content: what a council prints for a meeting. */
const PAGES: { name: string; url: (ids: Ids) => string; heading: (ids: Ids) => Heading }[] = [
  {
    name: 'the published VfM-4d report for 2009/10 H1',
    url: () => paths.reports.show('VfM-4d', '2009-10-h1'),
    heading: () => /^Improvement Priority – VfM-4d /,
  },
  // The demo draws OC-1c-i as a graph, with its data table, in the OC-1c report.
  {
    name: 'the OC-1c report with its graph',
    url: () => paths.reports.show('OC-1c', '2009-10-h1'),
    heading: () => /^Improvement Priority – OC-1c /,
  },
  { name: 'the priority list', url: () => paths.priorities.list, heading: () => 'Improvement priorities' },
  {
    name: 'the dashboard',
    url: () => `${paths.dashboard}?period=2009-10-h1`,
    heading: () => 'Dashboard for 2009/10 H1',
  },
  {
    name: 'the indicator page with its graph and data table',
    url: () => paths.indicators.show('OC-1c-i'),
    heading: () => /^OC-1c-i /,
  },
  { name: 'the risk register', url: () => paths.risks.list, heading: () => /risk/i },
  { name: 'the diagnostic baseline', url: (ids) => paths.diagnostic.baseline(ids.exercise), heading: () => 'Baseline' },
  {
    name: 'the savings opportunities',
    url: (ids) => paths.efficiency.opportunities(ids.exercise),
    heading: () => 'Savings opportunities',
  },
  {
    name: 'an opportunity with its working',
    url: (ids) => paths.efficiency.editOpportunity(ids.exercise, ids.opportunity),
    heading: () => /opportunity/i,
  },
  {
    name: 'an approved business case',
    url: (ids) => paths.efficiency.case(ids.exercise, ids.businessCase.id),
    heading: (ids) => ids.businessCase.title,
  },
  {
    name: 'the implementation plan',
    url: (ids) => paths.efficiency.plan(ids.exercise),
    heading: () => 'Implementation plan',
  },
  { name: 'the savings ledger', url: (ids) => paths.efficiency.savings(ids.exercise), heading: () => 'Savings ledger' },
  { name: 'the gain-share page', url: (ids) => paths.efficiency.gainShare(ids.exercise), heading: () => 'Gain-share' },
  {
    name: 'the board pack page',
    url: () => `${paths.boardPack.show}?period=2009-10-h1`,
    heading: () => /^Board pack/,
  },
];

describe('pages printed on A4', { timeout: 600_000 }, () => {
  let session: Session;
  let folder: string;
  let ids: Ids;
  /** Chart texts the charts cut, page by page (see the last test). */
  const cutLabels: string[] = [];
  before(async () => {
    session = await startSession();
    folder = KEEP ?? mkdtempSync(join(tmpdir(), 'amber-print-'));
    const { services } = session.testApp;
    const actor = systemActor((await services.organisations.getHome()).id, 'test');
    const exercise = (await services.diagnostics.listExercises(actor))[0]!.id;
    const approved = (await services.efficiency.cases(actor, exercise)).cases.find((c) => c.status === 'approved');
    assert.ok(approved, 'the demo has an approved business case');
    const [opportunity] = (await services.efficiency.opportunities(actor, exercise)).opportunities;
    assert.ok(opportunity, 'the demo has a savings opportunity');
    ids = { exercise, businessCase: { id: approved.id, title: approved.title }, opportunity: opportunity.id };
  });
  after(async () => {
    await session?.close();
    if (folder && !KEEP) rmSync(folder, { recursive: true, force: true });
  });

  for (const [i, p] of PAGES.entries())
    void it(`prints ${p.name} inside the margins, its text at 9 pt or more and its statuses in words`, async () => {
      const { page } = session;
      const url = p.url(ids);
      await new Screen(page, p.heading(ids), p.name).visit(url);
      const m = await measureForPrint(page);
      const problems: string[] = [];
      if (m.scrollWidth > m.width) problems.push(`the page is ${m.scrollWidth}px wide, the paper ${m.width}px`);
      for (const t of m.tables.filter((t) => t.left < -0.5 || t.right > m.width + 0.5))
        problems.push(`${t.name} spans ${Math.round(t.left)}–${Math.round(t.right)}px of ${m.width}px`);
      for (const e of m.beyond.slice(0, 5))
        problems.push(`${e.name} ends at ${Math.round(e.right)}px, beyond ${m.width}px`);
      for (const s of m.small.slice(0, 5)) problems.push(`“${s.text}” prints at ${s.pt} pt`);
      if (m.wordlessStatuses > 0) problems.push(`${m.wordlessStatuses} of ${m.statuses} statuses print without words`);
      cutLabels.push(...m.cut.map((text) => `${p.name}: “${text}”`));

      // The PDF itself.
      const words = await printedWords(page, join(folder, `${String(i + 1).padStart(2, '0')}.pdf`));
      assert.ok(words.length > 0, `the PDF of ${url} has text`);
      // A chart's label that the chart cuts is still whole in the PDF's text, reaching past the
      // chart's edge: the last test reports those, so each of their words excuses one word here.
      const excused = m.cut.flatMap((text) => text.split(/\s+/));
      // pdftotext's box of a word runs a little past its last glyph, so a number set flush right
      // at the margin ends up to 1.5 pt beyond it: 2 pt (0.7 mm) of slack, not a column's width.
      const outside = words
        .filter((w) => w.left < MARGIN_PT - 2 || w.right > A4.width - MARGIN_PT + 2)
        .filter((w) => {
          const k = excused.indexOf(w.text);
          if (k >= 0) excused.splice(k, 1);
          return k < 0;
        });
      if (outside.length > 0)
        problems.push(
          `${outside.length} printed word(s) outside the margins, e.g. ${outside
            .slice(0, 5)
            .map((w) => `“${w.text}” at ${Math.round(w.left)}–${Math.round(w.right)} pt`)
            .join(', ')}`,
        );
      const tiny = words.filter((w) => w.height < MIN_WORD_HEIGHT_PT);
      if (tiny.length > 0)
        problems.push(
          `${tiny.length} printed word(s) shorter than ${MIN_WORD_HEIGHT_PT.toFixed(1)} pt (${MIN_PT} pt type), e.g. ${tiny
            .slice(0, 5)
            .map((w) => `“${w.text}” ${w.height.toFixed(1)} pt tall`)
            .join(', ')}`,
        );
      assert.ok(problems.length === 0, `${url} on A4:\n  ${problems.join('\n  ')}`);
    });

  it('draws every chart label whole, inside its chart', () => {
    assert.deepEqual(cutLabels, [], `chart labels cut at the chart's edge:\n  ${cutLabels.join('\n  ')}`);
  });
});
