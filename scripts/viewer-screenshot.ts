/**
 * A screenshot of the viewer on a real case, for the README: starts a Redis, a server and a worker
 * on a temporary data folder with RUN as the only model, predicts IMAGE, opens the viewer in headless
 * Chromium and saves a PNG.
 *
 *   npx tsx scripts/viewer-screenshot.ts --run RUN --image IMAGE --out docs/images/viewer.png [--view 3] [--probability]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { createServer, KeyStore, startLocalRedis, startWorker } from '../src/serve/index.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    image: { type: 'string' },
    out: { type: 'string', default: 'viewer.png' },
    view: { type: 'string', default: '3' },
    probability: { type: 'boolean', default: false },
  },
});
if (!values.run || !values.image) throw new Error('give --run RUN and --image IMAGE');
const dir = mkdtempSync(join(tmpdir(), 'vesalius-screenshot-'));
const models = join(dir, 'models');
cpSync(values.run, join(models, 'model'), { recursive: true, filter: (p) => !p.includes('/preprocessed') });
const redis = await startLocalRedis(join(dir, 'redis'));
const logger = pino({ level: 'warn' });
const key = `screenshot-${Date.now()}-key`;
const data = join(dir, 'data');
const server = await createServer({
  models,
  data,
  redis: redis.socket,
  keys: new KeyStore(undefined, [{ key, scopes: ['admin'], name: 'radiologist' }]),
  logger,
});
const worker = await startWorker({ redis: redis.socket, data, models, logger });
try {
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const form = new FormData();
  form.append('file', new Blob([readFileSync(values.image)]), basename(values.image));
  const { id } = (await (
    await fetch(`${base}/api/jobs?model=model`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    })
  ).json()) as { id: string };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--enable-unsafe-swiftshader',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.addInitScript((k) => sessionStorage.setItem('vesalius-key', k), key);
  await page.goto(`${base}/viewer/?job=${id}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 600_000 });
  await page.locator(`[data-slice="${values.view}"]`).click();
  if (values.probability) await page.locator('#show-probability').check();
  await page.locator('#findings tbody tr').first().click();
  await page.waitForTimeout(500);
  writeFileSync(values.out!, await page.screenshot());
  await browser.close();
  process.stderr.write(`wrote ${values.out}\n`);
} finally {
  await worker.close();
  await server.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
