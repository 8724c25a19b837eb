/**
 * The viewer in headless Chromium (Debian's chromium through playwright-core), against a live
 * server and worker: the page loads without console errors; the overlay pixels change when the
 * prediction changes (the same image predicted by a model and by its class-swapped copy); a
 * correction painted with the mouse is saved and read back from the server. Also the worklist the
 * viewer offers (the active-learning ranking).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import sharp from 'sharp';
import { readImage } from '../../src/io/read.js';
import { KeyStore } from '../../src/serve/keys.js';
import { servedCheckpoint } from '../../src/serve/models.js';
import { rankCases, writeRanking } from '../../src/serve/rank.js';
import { createServer, type VesaliusServer } from '../../src/serve/server.js';
import { type RunningWorker, startWorker } from '../../src/serve/worker.js';
import { loadRun } from '../../src/train/run-folder.js';
import { hasCommand, needsReference, requireReference } from '../helpers/reference.js';
import { diskImage, hasRedis, swappedModel, testRedis, tinyModels } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const available = hasCommand(CHROMIUM) && hasRedis;
const reference = needsReference(available, 'chromium and redis-server (Debian packages chromium, redis-server)');
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-swiftshader',
];

let server: VesaliusServer;
let worker: RunningWorker;
let browser: Browser;
let base: string;
let data: string;
const key = 'browser-test-key-0123456789abc';
const auth = { authorization: `Bearer ${key}` };
const jobs: Record<string, string> = {};
let pool: string;

async function submit(model: string, path: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(path)]), 'image.nii.gz');
  const res = await fetch(`${base}/api/jobs?model=${model}`, { method: 'POST', headers: auth, body: form });
  return ((await res.json()) as { id: string }).id;
}

before(async () => {
  if (reference.skip) return;
  requireReference(available, 'chromium and redis-server');
  const models = await tinyModels();
  swappedModel(models, 'disks', 'swapped');
  pool = tempDir();
  for (let s = 0; s < 3; s++) await diskImage(pool, `case${s}.nii.gz`, 600 + s);
  const runDir = join(models, 'disks');
  const ranking = await rankCases(
    loadRun(runDir, { checkpoint: servedCheckpoint(runDir) }),
    'disks',
    [0, 1, 2].map((s) => ({ id: `case${s}`, files: [join(pool, `case${s}.nii.gz`)] })),
  );
  const worklist = join(tempDir(), 'ranking.json');
  writeRanking(worklist, ranking);
  const redis = await testRedis();
  data = tempDir();
  const logger = pino({ level: 'warn' });
  const keys = new KeyStore(undefined, [{ key, scopes: ['admin'], name: 'dr-viewer' }]);
  server = await createServer({ models, data, redis: redis.socket, keys, logger, worklist });
  worker = await startWorker({ redis: redis.socket, data, models, logger, threads: 1 });
  base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const image = await diskImage(tempDir(), 'viewed.nii.gz', 5);
  jobs.disks = await submit('disks', image);
  jobs.swapped = await submit('swapped', image);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});
after(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
});

async function openViewer(job: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript((k) => sessionStorage.setItem('vesalius-key', k), key);
  await page.goto(`${base}/viewer/?job=${job}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, errors };
}

/** The canvas as RGBA pixels. */
async function canvasPixels(page: Page): Promise<Uint8Array> {
  await page.waitForTimeout(200); // let NiiVue finish its frame
  const png = await page.locator('#gl').screenshot();
  return new Uint8Array(await sharp(png).ensureAlpha().raw().toBuffer());
}

function differing(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let p = 0; p < a.length; p += 4)
    if (Math.abs(a[p]! - b[p]!) + Math.abs(a[p + 1]! - b[p + 1]!) + Math.abs(a[p + 2]! - b[p + 2]!) > 30) n++;
  return n;
}

const setOpacity = (page: Page, value: number) =>
  page.evaluate((v) => {
    const input = document.getElementById('label-opacity') as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event('input'));
  }, value);

test('the viewer loads a job without console errors, with findings and classes', reference, async () => {
  const { page, errors } = await openViewer(jobs.disks!);
  assert.deepEqual(errors, []);
  assert.match((await page.locator('#status').textContent()) ?? '', /disks · 32×32×1/);
  assert.equal(await page.locator('#findings tbody tr').count(), 1);
  assert.match((await page.locator('#findings tbody tr').first().textContent()) ?? '', /disk/);
  assert.match((await page.locator('#legend').textContent()) ?? '', /1 disk/);
  // clicking a finding moves the crosshair there without errors; the probability map can be shown
  await page.locator('#findings tbody tr').first().click();
  await page.locator('#show-probability').check();
  await page.locator('[data-slice="4"]').click();
  await page.locator('[data-slice="0"]').click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the overlay pixels change when the prediction changes (same image, class-swapped model)', reference, async () => {
  const a = await openViewer(jobs.disks!);
  const b = await openViewer(jobs.swapped!);
  const overlayA = await canvasPixels(a.page);
  const overlayB = await canvasPixels(b.page);
  await setOpacity(a.page, 0);
  await setOpacity(b.page, 0);
  const plainA = await canvasPixels(a.page);
  const plainB = await canvasPixels(b.page);
  const total = overlayA.length / 4;
  const withOverlay = differing(overlayA, overlayB);
  const without = differing(plainA, plainB);
  assert.ok(without < 0.01 * total, `without the overlay the two views match (${without} of ${total} pixels differ)`);
  assert.ok(withOverlay > 0.2 * total, `with the overlay ${withOverlay} of ${total} pixels differ`);
  assert.ok(differing(overlayA, plainA) > 0.02 * total, 'the overlay itself is visible');
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.page.close();
  await b.page.close();
});

test('a correction painted in the viewer is saved to the server and read back', reference, async () => {
  const { page, errors } = await openViewer(jobs.disks!);
  const before = await canvasPixels(page);
  await page.locator('#draw').check();
  await page.locator('#pen').selectOption('1');
  // paint a stroke across the upper part of the image (background in the prediction)
  const box = (await page.locator('#gl').boundingBox())!;
  const cx = box.x + box.width / 2;
  const top = box.y + box.height * 0.12;
  await page.mouse.move(cx - box.height * 0.3, top);
  await page.mouse.down();
  for (let s = 1; s <= 12; s++)
    await page.mouse.move(cx - box.height * 0.3 + (s * box.height * 0.6) / 12, top, { steps: 2 });
  await page.mouse.up();
  await page.locator('#save').click();
  await page.waitForSelector('body[data-saved]', { timeout: 30_000 });
  const changed = Number(await page.evaluate(() => document.body.dataset.saved));
  assert.ok(changed >= 5, `${changed} voxels changed`);
  assert.match((await page.locator('#correction').textContent()) ?? '', /saved by dr-viewer/);
  const after = await canvasPixels(page);
  assert.ok(differing(before, after) > 0, 'the painted stroke shows');
  // read back from the server: the prediction plus the painted voxels, all of class 1
  const dir = tempDir();
  writeFileSync(
    join(dir, 'labels.nii.gz'),
    Buffer.from(
      await (await fetch(`${base}/api/jobs/${jobs.disks}/files/labels.nii.gz`, { headers: auth })).arrayBuffer(),
    ),
  );
  const res = await fetch(`${base}/api/jobs/${jobs.disks}/correction`, { headers: auth });
  assert.equal(res.status, 200);
  writeFileSync(join(dir, 'correction.nii.gz'), Buffer.from(await res.arrayBuffer()));
  const predicted = await readImage(join(dir, 'labels.nii.gz'));
  const corrected = await readImage(join(dir, 'correction.nii.gz'));
  let added = 0;
  let removed = 0;
  const rows = new Set<number>();
  for (let v = 0; v < predicted.data.length; v++) {
    if (corrected.data[v] === predicted.data[v]) continue;
    if (corrected.data[v] === 1) {
      added++;
      rows.add(Math.floor(v / 32));
    } else removed++;
  }
  assert.equal(added, changed);
  assert.equal(removed, 0);
  // the stroke is a horizontal line near the top of the screen, which shows anterior: in LPS, j grows
  // toward posterior, so the painted voxels are in the first rows
  assert.ok(rows.size <= 3, `painted rows ${[...rows]}`);
  assert.ok(
    [...rows].every((j) => j < 8),
    `painted rows ${[...rows]}`,
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('the worklist offers the ranked cases; starting one runs a job for it', reference, async () => {
  const list = (await (await fetch(`${base}/api/worklist`, { headers: auth })).json()) as {
    cases: { rank: number; id: string; job: string | null }[];
  };
  assert.deepEqual(
    list.cases.map((c) => c.rank),
    [1, 2, 3],
  );
  assert.ok(
    list.cases.every((c) => c.job === null && !('files' in c)),
    'no server paths are shown',
  );
  const started = await fetch(`${base}/api/worklist/1/jobs`, { method: 'POST', headers: auth });
  assert.equal(started.status, 202);
  const { id } = (await started.json()) as { id: string };
  const { page, errors } = await openViewer(id);
  const again = (await (await fetch(`${base}/api/worklist`, { headers: auth })).json()) as {
    cases: { rank: number; job: string | null; state: string }[];
  };
  assert.equal(again.cases[0]!.job, id);
  assert.equal(again.cases[0]!.state, 'completed');
  assert.equal(await page.locator('#worklist li').count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});
