import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartTable, type IndicatorChartView } from './chart-view.ts';
import { AMBER, buildChartView, GREEN, QUARTERS, RED } from './fixtures.test-helper.ts';
import { CHART_CACHE_SIZE, chartCacheSize, clearChartCache, niceTicks, renderIndicatorChartSvg } from './svg.ts';
import { allElements, parseXml, textContent, XmlError, type XmlElement } from './xml.test-helper.ts';

const parse = (view: IndicatorChartView) => parseXml(renderIndicatorChartSvg(view));
const byName = (root: XmlElement, name: string) => allElements(root).filter((e) => e.name === name);
const child = (root: XmlElement, name: string) =>
  root.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
const series = (root: XmlElement, name: string) => allElements(root).find((e) => e.attributes['data-series'] === name);
const markers = (root: XmlElement) => allElements(series(root, 'markers')!).filter((e) => 'data-shape' in e.attributes);
const texts = (root: XmlElement) => byName(root, 'text').map(textContent);

describe('the XML checker used by these tests', () => {
  it('rejects unbalanced tags, bare ampersands, unquoted and duplicate attributes', () => {
    for (const bad of [
      '<a><b></a>',
      '<a>&</a>',
      '<a x=1/>',
      '<a x="1" x="2"/>',
      '<a>&nbsp;</a>',
      '<a/><b/>',
      '<a x="<"/>',
    ]) {
      assert.throws(() => parseXml(bad), XmlError, bad);
    }
    assert.equal(textContent(parseXml('<a>&lt;b&gt; &amp; &#xf5; &#233;</a>')), '<b> & õ é');
  });
});

describe('renderIndicatorChartSvg', () => {
  it('produces well-formed XML with an SVG root that scales: a viewBox and no width or height', () => {
    const root = parse(buildChartView());
    assert.equal(root.name, 'svg');
    assert.equal(root.attributes.xmlns, 'http://www.w3.org/2000/svg');
    assert.match(root.attributes.viewBox ?? '', /^0 0 640 400$/);
    assert.equal(root.attributes.width, undefined);
    assert.equal(root.attributes.height, undefined);
  });

  it('is an image with a title and a description that screen readers are pointed to', () => {
    const root = parse(buildChartView());
    assert.equal(root.attributes.role, 'img');
    const title = child(root, 'title');
    const desc = child(root, 'desc');
    assert.ok(title && desc, 'title and desc are children of the root');
    assert.equal(root.attributes['aria-labelledby'], title.attributes.id);
    assert.equal(root.attributes['aria-describedby'], desc.attributes.id);
    assert.equal(textContent(title), 'CS-01 Calls to the contact centre answered within 20 seconds');
  });

  it('describes the latest value against its target, the trend and the polarity in words', () => {
    const desc = textContent(child(parse(buildChartView()), 'desc')!);
    assert.equal(
      desc,
      'Latest value 93.2% in 2024/25 Q4 (status: Amber), below the target of 95.0%. Down from 95.8% in 2024/25 Q3. ' +
        '8 periods, 2023/24 Q1 to 2024/25 Q4. Higher is better.',
    );
  });

  it('contains no style element, style attribute, script or event handler, so a strict CSP accepts it inline', () => {
    const views = [
      buildChartView(),
      buildChartView({ kind: 'bar' }),
      buildChartView({ title: '<script>alert(1)</script> onload="x"' }),
    ];
    for (const view of views) {
      const svg = renderIndicatorChartSvg(view);
      assert.doesNotMatch(svg, /<style/i);
      assert.doesNotMatch(svg, /<script/i);
      // Text content has its < escaped, so every raw < starts a tag: look inside tags only.
      assert.doesNotMatch(svg, /<[^>]*\sstyle\s*=/i);
      assert.doesNotMatch(svg, /<[^>]*\son[a-z]+\s*=/i);
      assert.doesNotMatch(svg, /<[^>]*\s(?:xlink:)?href\s*=/i);
      for (const el of allElements(parseXml(svg))) {
        assert.ok(!['style', 'script', 'foreignObject', 'image', 'a'].includes(el.name), el.name);
        for (const attr of Object.keys(el.attributes)) assert.ok(!/^on/i.test(attr) && attr !== 'style', attr);
      }
    }
  });

  it('sets a system font family on the root so every text element uses it', () => {
    const root = parse(buildChartView());
    assert.match(root.attributes['font-family'] ?? '', /system-ui.*sans-serif$/);
    assert.ok(byName(root, 'text').length > 10);
  });

  it('escapes hostile and Welsh titles so that they read back exactly as written', () => {
    const title = `<script>alert("x")</script> & 'Gwasanaethau' ŵ ŷ </svg>`;
    const svg = renderIndicatorChartSvg(buildChartView({ code: 'A&B', title }));
    assert.ok(!svg.includes('<script>'));
    const root = parseXml(svg);
    assert.equal(textContent(child(root, 'title')!), `A&B ${title}`);
    assert.ok(
      texts(root).some((t) => t.startsWith('A&B <script>')),
      'the visible title reads back as written',
    );
  });

  it('drops characters XML forbids rather than producing a broken document', () => {
    const root = parse(
      buildChartView({
        title: 'Bad\u0000 \u0007bytes\uD800 here',
        points: [{ periodLabel: 'Q1\u0001', actual: 1, target: null, status: null }],
      }),
    );
    assert.equal(textContent(child(root, 'title')!), 'CS-01 Bad bytes here');
  });

  it('draws one marker per recorded actual, each in the shape of its status with a dark outline', () => {
    const view = buildChartView();
    view.points[2] = { ...view.points[2]!, actual: null };
    const found = markers(parse(view));
    const expected = view.points.filter((p) => p.actual !== null);
    assert.equal(found.length, expected.length);
    expected.forEach((p, i) => {
      const m = found[i]!;
      assert.equal(m.attributes['data-shape'], p.status!.shape);
      assert.equal(m.name, p.status!.shape === 'circle' ? 'circle' : 'path');
      assert.equal(m.attributes.fill, p.status!.colour);
      assert.equal(m.attributes.stroke, '#0b0c0c');
    });
    const counts = { circle: 0, triangle: 0, diamond: 0 };
    for (const m of found) counts[m.attributes['data-shape'] as keyof typeof counts]++;
    assert.deepEqual(counts, { circle: 2, triangle: 4, diamond: 1 });
  });

  it('draws every status shape of a scale as its own outline', () => {
    const shapes = ['circle', 'triangle', 'square', 'diamond', 'cross', 'pause', 'star'] as const;
    const view = buildChartView({
      points: shapes.map((shape, i) => ({
        periodLabel: `P${i + 1}`,
        actual: i + 1,
        target: null,
        status: { label: shape, colour: '#1d70b8', shape, symbol: '' },
      })),
    });
    const root = parse(view);
    assert.deepEqual(
      markers(root).map((m) => m.attributes['data-shape']),
      [...shapes],
    );
    // The pause sign is two bars in one path; the rest are one closed outline each.
    for (const m of markers(root).filter((e) => e.name === 'path')) {
      assert.equal((m.attributes.d!.match(/Z/g) ?? []).length, m.attributes['data-shape'] === 'pause' ? 2 : 1);
    }
    // The legend shows each status with its shape and label.
    for (const shape of shapes) assert.ok(texts(root).includes(shape));
  });

  it('shows a point with no status as a plain ring, not as a status colour', () => {
    const view = buildChartView({ points: [{ periodLabel: 'Q1', actual: 3, target: null, status: null }] });
    const [m] = markers(parse(view));
    assert.equal(m?.attributes.fill, '#ffffff');
  });

  it('draws the target as a dashed line and names it in the legend', () => {
    const root = parse(buildChartView());
    const target = series(root, 'target');
    assert.ok(target, 'a target series');
    assert.ok(target.attributes['stroke-dasharray'], 'dashed');
    assert.notEqual(target.attributes.stroke, series(root, 'actual')!.attributes.stroke);
    assert.ok(texts(root).includes('Target'));
  });

  it('draws no target line and no Target legend when no period has a target', () => {
    const view = buildChartView({ points: buildChartView().points.map((p) => ({ ...p, target: null })) });
    const root = parse(view);
    assert.equal(series(root, 'target'), undefined);
    assert.ok(!texts(root).includes('Target'));
    assert.match(textContent(child(root, 'desc')!), /No target is set\./);
  });

  it('breaks the actual line where a period has no value', () => {
    const view = buildChartView();
    const unbroken = series(parse(view), 'actual')!.attributes.d!;
    assert.equal(unbroken.match(/M/g)?.length, 1);
    view.points[3] = { ...view.points[3]!, actual: null };
    const broken = series(parse(view), 'actual')!.attributes.d!;
    assert.equal(broken.match(/M/g)?.length, 2);
    assert.equal(broken.match(/L/g)?.length, 5, 'three segments before the gap, two after');
  });

  it('draws bars for a bar chart, one per recorded actual, from zero', () => {
    const view = buildChartView({ kind: 'bar', unit: 'days', decimals: 0, polarity: 'Lower is better' });
    view.points[1] = { ...view.points[1]!, actual: null };
    const root = parse(view);
    const bars = byName(series(root, 'actual')!, 'rect');
    assert.equal(bars.length, 7);
    assert.equal(markers(root).length, 7);
    const bottoms = new Set(bars.map((b) => Number(b.attributes.y) + Number(b.attributes.height)));
    assert.equal(bottoms.size, 1, 'every bar stands on the same zero line');
    assert.ok(texts(root).includes('Days'), 'the y axis names its unit');
  });

  it('labels the y axis with the unit and rounded ticks that include zero for bars', () => {
    const root = parse(buildChartView({ kind: 'bar' }));
    const labels = texts(root);
    assert.ok(labels.includes('Per cent (%)'));
    assert.ok(labels.includes('0%'));
    assert.ok(labels.includes('100%'));
  });

  it('labels the latest value beside its point', () => {
    const root = parse(buildChartView());
    const label = allElements(root).find((e) => e.attributes['data-label'] === 'latest');
    assert.equal(textContent(label!), '93.2%');
  });

  it('writes large money values compactly on the axis and the latest label', () => {
    const view = buildChartView({
      unit: '£',
      decimals: 0,
      title: 'Savings delivered',
      points: [1_150_000, 1_420_000, 2_080_000].map((actual, i) => ({
        periodLabel: QUARTERS[i]!,
        actual,
        target: 2_000_000,
        status: null,
      })),
    });
    const root = parse(view);
    const labels = texts(root);
    assert.ok(
      labels.some((t) => /^£\d(\.\d+)?m$/.test(t)),
      labels.join(' | '),
    );
    assert.equal(textContent(allElements(root).find((e) => e.attributes['data-label'] === 'latest')!), '£2.1m');
    assert.match(textContent(child(root, 'desc')!), /Latest value £2,080,000 .*above the target of £2,000,000/);
  });

  it('handles negative values with a zero line and a bar below it', () => {
    const view = buildChartView({
      kind: 'bar',
      unit: '£',
      decimals: 0,
      points: [-120_000, 80_000, -30_000].map((actual, i) => ({
        periodLabel: QUARTERS[i]!,
        actual,
        target: 0,
        status: null,
      })),
    });
    const root = parse(view);
    const labels = texts(root);
    assert.ok(
      labels.some((t) => t.startsWith('-£')),
      labels.join(' | '),
    );
    assert.equal(byName(series(root, 'actual')!, 'rect').length, 3);
    assert.equal(textContent(allElements(root).find((e) => e.attributes['data-label'] === 'latest')!), '-£30k');
  });

  it('renders a single point, a view with no points and one with no recorded actuals', () => {
    const single = parse(
      buildChartView({ points: [{ periodLabel: '2024/25 Q1', actual: 42, target: 40, status: GREEN }] }),
    );
    assert.equal(markers(single).length, 1);
    assert.match(
      series(single, 'target')!.attributes.d!,
      /^M[\d.]+ [\d.]+ H[\d.]+$/,
      'a one-period target is still a visible step',
    );
    const empty = parse(buildChartView({ points: [] }));
    assert.equal(markers(empty).length, 0);
    assert.ok(texts(empty).includes('No values recorded yet'));
    const none = parse(
      buildChartView({
        points: QUARTERS.map((periodLabel) => ({ periodLabel, actual: null, target: 95, status: null })),
      }),
    );
    assert.equal(markers(none).length, 0);
    assert.equal(series(none, 'actual'), undefined);
    assert.match(textContent(child(none, 'desc')!), /^No actual values have been recorded yet\./);
  });

  it('keeps every period label on a short series and thins them on a long one, always keeping the latest', () => {
    const short = parse(buildChartView());
    for (const q of QUARTERS) assert.ok(texts(short).join(' ').includes(q.split(' ')[1]!));
    const months = Array.from({ length: 48 }, (_, i) => `Month ${String(i + 1).padStart(2, '0')} of the plan`);
    const long = parse(
      buildChartView({
        points: months.map((periodLabel, i) => ({ periodLabel, actual: 90 + (i % 7), target: 95, status: AMBER })),
      }),
    );
    const xLabels = byName(
      allElements(long).find((e) => e.attributes['data-axis'] === 'x')!,
      'text',
    );
    assert.ok(xLabels.length < 48 && xLabels.length >= 8, `${xLabels.length} labels`);
    assert.ok(xLabels.every((t) => /rotate\(-45/.test(t.attributes.transform ?? '')));
    assert.match(textContent(xLabels[xLabels.length - 1]!), /^Month 48/);
    assert.equal(markers(long).length, 48);
  });

  it('replaces a status colour that is not #rrggbb instead of writing it into an attribute', () => {
    const view = buildChartView({
      points: [{ periodLabel: 'Q1', actual: 1, target: null, status: { ...RED, colour: 'red" onload="x' } }],
    });
    const svg = renderIndicatorChartSvg(view);
    assert.ok(!svg.includes('onload'));
    assert.equal(markers(parseXml(svg))[0]?.attributes.fill, '#b1b4b6');
  });

  it('gives the same bytes for the same input, cached or not', () => {
    const first = renderIndicatorChartSvg(buildChartView());
    clearChartCache();
    const second = renderIndicatorChartSvg(buildChartView());
    assert.equal(second, first);
    // The key is built field by field, so property order does not matter.
    const { points, ...rest } = buildChartView();
    assert.equal(renderIndicatorChartSvg({ points, ...rest }), first);
    assert.notEqual(renderIndicatorChartSvg(buildChartView({ title: 'Another' })), first);
  });

  it('gives different charts different title ids so several can share a page', () => {
    const a = parse(buildChartView()).attributes['aria-labelledby'];
    const b = parse(buildChartView({ code: 'CS-02' })).attributes['aria-labelledby'];
    const c = parse(buildChartView({ title: 'Other' })).attributes['aria-labelledby'];
    assert.equal(new Set([a, b, c]).size, 3);
  });

  it('keeps at most 500 charts in its cache', () => {
    clearChartCache();
    for (let i = 0; i < CHART_CACHE_SIZE + 20; i++) renderIndicatorChartSvg(buildChartView({ code: `X-${i}` }));
    assert.equal(chartCacheSize(), CHART_CACHE_SIZE);
  });

  it('scales to other sizes through its viewBox', () => {
    const root = parseXml(renderIndicatorChartSvg(buildChartView(), { width: 480, height: 300, showTitle: false }));
    assert.equal(root.attributes.viewBox, '0 0 480 300');
    assert.ok(!texts(root).some((t) => t.startsWith('CS-01')), 'no visible title when the page shows one');
  });
});

describe('niceTicks', () => {
  const cases: [number, number, number, number[]][] = [
    [0, 96.1, 6, [0, 20, 40, 60, 80, 100]],
    [89.7, 96.1, 6, [88, 90, 92, 94, 96, 98]],
    [-120_000, 80_000, 5, [-150_000, -100_000, -50_000, 0, 50_000, 100_000]],
    [0, 0, 5, [0, 0.25, 0.5, 0.75, 1]],
    [0, 7, 6, [0, 2, 4, 6, 8]],
  ];
  for (const [lo, hi, count, expected] of cases) {
    it(`covers ${lo} to ${hi} with round ticks ${expected.join(', ')}`, () => {
      assert.deepEqual(niceTicks(lo, hi, count).ticks, expected);
    });
  }

  it("never steps finer than the indicator's decimals", () => {
    assert.deepEqual(niceTicks(0, 3, 8, 1).ticks, [0, 1, 2, 3]);
  });
});

describe('chartTable', () => {
  it("has a row per period with numbers formatted to the indicator's decimals and the unit in the header", () => {
    const view = buildChartView();
    view.points[2] = { ...view.points[2]!, actual: null };
    const table = chartTable(view);
    assert.equal(
      table.caption,
      'Data for CS-01 Calls to the contact centre answered within 20 seconds, 2023/24 Q1 to 2024/25 Q4',
    );
    assert.deepEqual(
      table.columns.map((c) => c.header),
      ['Period', 'Actual (%)', 'Target (%)', 'Status'],
    );
    assert.deepEqual(
      table.columns.map((c) => c.numeric),
      [false, true, true, false],
    );
    assert.equal(table.rows.length, 8);
    assert.deepEqual(table.rows[0]!.cells, ['2023/24 Q1', '91.2', '95.0', '▲ Amber']);
    assert.deepEqual(table.rows[2]!.cells, ['2023/24 Q3', 'No data', '95.0', '● Green']);
    assert.equal(table.rows[4]!.status, RED);
  });

  it('writes thousands separators and leaves out the target and status columns when nothing fills them', () => {
    const view = buildChartView({
      unit: '',
      decimals: 0,
      polarity: '',
      title: 'Library visits',
      points: [12_345, 1_234_567, -2_500].map((actual, i) => ({
        periodLabel: QUARTERS[i]!,
        actual,
        target: null,
        status: null,
      })),
    });
    const table = chartTable(view);
    assert.deepEqual(
      table.columns.map((c) => c.header),
      ['Period', 'Actual'],
    );
    assert.deepEqual(
      table.rows.map((r) => r.cells[1]),
      ['12,345', '1,234,567', '-2,500'],
    );
  });

  it('says when a period has no target though others do', () => {
    const view = buildChartView({
      points: [
        { periodLabel: 'Q1', actual: 1, target: null, status: null },
        { periodLabel: 'Q2', actual: 2, target: 3, status: null },
      ],
    });
    assert.deepEqual(
      chartTable(view).rows.map((r) => r.cells),
      [
        ['Q1', '1.0', 'No target'],
        ['Q2', '2.0', '3.0'],
      ],
    );
  });
});
