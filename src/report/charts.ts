/**
 * Charts as SVG without a browser: Vega-Lite specifications compiled by vega-lite and rendered by
 * vega's headless SVG renderer (`view.toSVG()`); PNG through sharp. Data is always inline, so
 * rendering never loads anything.
 */
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';

/** A Vega-Lite spec (the subset of the schema the report uses is not worth typing out). */
export type VegaLiteSpec = Record<string, unknown>;

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  background: 'white',
  config: { font: 'DejaVu Sans, sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 } },
};

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile({ ...BASE, ...spec } as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: noLoader() });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG rendered to PNG (sharp / librsvg), at `density` dpi (72 = 1 px per SVG unit). */
export async function svgToPng(svg: string, density = 144): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density }).png().toBuffer();
}

/** A loader that refuses every request: charts carry their data inline. */
function noLoader(): vega.Loader {
  const refuse = (what: string) => Promise.reject(new Error(`charts load nothing (asked for ${what})`));
  const loader = vega.loader();
  loader.load = (uri: string) => refuse(uri);
  loader.sanitize = (uri: string) => refuse(uri) as never;
  return loader;
}
