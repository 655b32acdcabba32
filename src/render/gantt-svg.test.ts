import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ganttLayout, renderGanttSvg, describeGantt, type GanttProject } from './gantt-svg.ts';
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
