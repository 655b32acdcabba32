import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GANTT_FONT_SIZE,
  ganttLayout,
  renderGanttSvg,
  describeGantt,
  textWidth,
  wrapName,
  type GanttProject,
} from './gantt-svg.ts';
import { parseXml, allElements, textContent } from './charts/xml.test-helper.ts';

const projects: GanttProject[] = [
  {
    id: 'a',
    name: 'Consolidate accounts payable',
    start: '2010-04-01',
    end: '2011-03-31',
    dependsOn: [],
    milestones: [{ label: 'Team in place', due: '2010-09-30' }],
  },
  { id: 'b', name: 'System <beta> & “more”', start: '2010-06-01', end: '2010-12-31', dependsOn: ['a'], milestones: [] },
];

describe('the Gantt chart', () => {
  it('spans whole months from the first start to the last end', () => {
    const { months, bars } = ganttLayout(projects);
    assert.equal(months[0]!.label, 'Apr 10');
    assert.equal(months.at(-1)!.label, 'Mar 11');
    assert.equal(months.length, 12);
    assert.ok(bars[1]!.x > bars[0]!.x, 'a later start is further right');
    assert.ok(bars[1]!.x + bars[1]!.width < bars[0]!.x + bars[0]!.width, 'an earlier end stops sooner');
  });

  it('is well-formed SVG with a title and description, names escaped, no styles or scripts', () => {
    const svg = renderGanttSvg(projects);
    const root = parseXml(svg);
    assert.equal(root.attributes.role, 'img');
    const names = allElements(root).map((e) => e.name);
    assert.ok(!names.includes('style') && !names.includes('script'));
    assert.ok(!/ style=/.test(svg));
    assert.match(textContent(root), /System <beta> & “more”/);
    assert.equal(
      allElements(root).filter((e) => e.name === 'path' && e.attributes.fill === '#ffffff').length,
      1,
      'one milestone diamond',
    );
  });

  it('describes itself in words, and says when there is nothing to show', () => {
    assert.equal(
      describeGantt(projects),
      'Gantt chart of 2 projects from 2010-04-01 to 2011-03-31, with 1 milestone. The table below lists the same projects, dates, dependencies and milestones.',
    );
    assert.match(renderGanttSvg([]), /No projects yet/);
  });
});

describe('the Gantt chart is readable (issue 13)', () => {
  const long: GanttProject = {
    id: 'long',
    name: 'Move every supplier of the council to electronic invoicing through the new purchase-to-pay system',
    start: '2009-01-15',
    end: '2014-12-31',
    dependsOn: [],
    milestones: [],
  };
  const fontSizes = (svg: string) => [...svg.matchAll(/font-size="(\d+(?:\.\d+)?)"/g)].map((m) => Number(m[1]));

  it('draws every text at the page’s body size or larger, one CSS pixel to one unit', () => {
    const svg = renderGanttSvg([...projects, long]);
    const root = parseXml(svg);
    assert.equal(root.attributes.width, '900', 'the chart carries its width, so the page does not shrink it');
    assert.equal(root.attributes.viewBox?.split(' ')[2], '900');
    assert.ok(fontSizes(svg).length > 0);
    assert.ok(
      fontSizes(svg).every((s) => s >= GANTT_FONT_SIZE && s >= 19),
      `font sizes ${fontSizes(svg).join(', ')}`,
    );
  });

  for (const [label, ps, width] of [
    ['a year', projects, 900],
    ['six years', [long], 900],
    ['six years on a narrow chart', [long], 480],
    ['thirty years', [{ ...long, end: '2038-12-31' }], 900],
    ['two months', [{ ...long, start: '2010-01-01', end: '2010-02-28' }], 900],
  ] as const) {
    it(`never lets month labels touch, over ${label}`, () => {
      const { labels } = ganttLayout(ps, width);
      assert.ok(labels.length >= 1, 'at least one label');
      for (let i = 1; i < labels.length; i += 1)
        assert.ok(
          labels[i - 1]!.x + labels[i - 1]!.width < labels[i]!.x,
          `${labels[i - 1]!.label} and ${labels[i]!.label} overlap`,
        );
      for (const l of labels) assert.ok(l.x + l.width <= width, `${l.label} runs off the chart`);
    });
  }

  it('thins the labels to quarters or years when months are dense', () => {
    assert.ok(ganttLayout([long]).step >= 6, `every ${ganttLayout([long]).step} months`);
    assert.match(
      ganttLayout([long])
        .labels.map((l) => l.label)
        .join(' '),
      /^(\w{3} \d{2} ?)+$|^(\d{4} ?)+$/,
    );
    assert.deepEqual(
      ganttLayout([{ ...long, end: '2038-12-31' }]).labels.every((l) => /^\d{4}$/.test(l.label)),
      true,
    );
  });

  it('wraps a long name over lines in its own column, keeping every character', () => {
    const svg = renderGanttSvg([long]);
    const root = parseXml(svg);
    const lines = allElements(root)
      .filter((e) => e.name === 'tspan')
      .map((e) => textContent(e));
    assert.ok(lines.length > 1, 'the name takes several lines');
    assert.equal(lines.join(' '), long.name);
    assert.ok(!svg.includes('…'));
    const { labelWidth, bars } = ganttLayout([long]);
    for (const line of lines) assert.ok(textWidth(line) <= labelWidth, `“${line}” fits its column`);
    assert.ok(bars[0]!.x > labelWidth, 'bars start right of the names');
    assert.deepEqual(
      wrapName('Supercalifragilisticexpialidocious', 100).join(''),
      'Supercalifragilisticexpialidocious',
    );
  });
});
