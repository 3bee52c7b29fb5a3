// The report's plots: Vega-Lite specifications compiled and rendered to static SVG in Node (vega + vega-lite, no
// browser, no CDN), so the HTML page is self-contained and every plot is a picture of the same numbers as its table.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface BarDatum {
  /** Facet / group on the x axis (e.g. dataset). */
  group: string;
  /** Bar within the group (e.g. method). */
  series: string;
  mean: number;
  /** 95% CI bounds; equal to mean when there is no CI. */
  lo: number;
  hi: number;
}

export interface LineDatum {
  series: string;
  x: number;
  y: number;
}

const CONFIG = { font: 'sans-serif', view: { stroke: null }, axis: { labelLimit: 160 }, legend: { labelLimit: 260 } };

/** Grouped bars with 95% CI whiskers. */
export function barChart(data: BarDatum[], o: { title: string; yTitle: string; groupTitle: string }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: { step: 18 },
    height: 220,
    data: { values: data },
    encoding: {
      x: { field: 'group', type: 'nominal', title: o.groupTitle, axis: { labelAngle: 0 } },
      xOffset: { field: 'series', type: 'nominal', sort: null },
      color: { field: 'series', type: 'nominal', title: null, sort: null, legend: { orient: 'bottom', columns: 2 } },
    },
    layer: [
      { mark: { type: 'bar' }, encoding: { y: { field: 'mean', type: 'quantitative', title: o.yTitle } } },
      { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Lines with points (e.g. validation NDCG@10 per epoch, per-token latency per position). */
export function lineChart(data: LineDatum[], o: { title: string; xTitle: string; yTitle: string; logY?: boolean }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: 420,
    height: 220,
    data: { values: data },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xTitle, axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2 } },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Compiles and renders a Vega-Lite spec to an SVG string (headless: no canvas, no network). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', loader: vega.loader({ mode: 'file' }) });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
