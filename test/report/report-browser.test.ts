import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { crossValidate } from '../../src/train/cv/cross-validate.js';
import { hasCommand, referenceTest } from '../helpers/reference.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { configText, writeDiskDataset } from '../train/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
let dir: string;

before(async () => {
  dir = tempDir('vesalius-report-');
  await writeDiskDataset(join(dir, 'data'), 4, 32, 5);
  const quiet = { progress: false as const, workers: 1, onStage: () => {}, folds: 2 };
  const write = (name: string, extra: string) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, configText(join(dir, 'data'), join(dir, 'exp', name), extra));
    return path;
  };
  await crossValidate(write('unet', 'inference: { mirror: false }'), quiet);
  await crossValidate(write('otsu', 'method: { name: otsu }'), quiet);
});

test('report of a folder of CVs: every section, tables and images, written where asked', () => {
  const out = runCli(['report', join(dir, 'exp'), '-o', join(dir, 'report.html')]);
  assert.equal(out.status, 0, out.stderr);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  for (const s of [
    'Configuration and plan',
    'Loss curves',
    'Metrics',
    'Statistical comparison',
    'Per-case results',
    'Overlays',
    'Environment',
  ])
    assert.ok(html.includes(`<h2>${s}</h2>`), s);
  assert.ok(html.includes('unet vs otsu'));
  assert.ok((html.match(/<img class="figure"/g) ?? []).length >= 2, 'overlay images');
  assert.ok(!/(src|href)="(https?:)?\/\//.test(html), 'no external resource');
});

referenceTest(
  'the HTML report opens in headless Chromium without console errors or requests, and shows its images',
  hasCommand(CHROMIUM),
  'Debian chromium',
  async () => {
    const path = join(dir, 'report.html');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${path}`);
      await page.waitForLoadState('load');
      const images = await page.$$eval('img', (els) =>
        els.map((e) => ({ ok: (e as HTMLImageElement).complete, w: (e as HTMLImageElement).naturalWidth })),
      );
      assert.ok(images.length >= 2);
      for (const im of images) assert.ok(im.ok && im.w > 100, `image not shown: ${JSON.stringify(im)}`);
      const charts = await page.$$eval('.chart svg', (els) => els.map((e) => e.getBoundingClientRect().width));
      assert.ok(charts.length >= 3 && charts.every((w) => w > 100), `charts ${charts}`);
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [`file://${path}`], 'the report loads nothing but itself');
    } finally {
      await browser.close();
    }
  },
);
