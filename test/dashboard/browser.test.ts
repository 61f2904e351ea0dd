/**
 * The dashboard in a real headless browser (Debian's chromium through playwright-core): the
 * page of a finished sweep shows its trial table, then updates live when the coordinator
 * reports a change, without a reload. Skipped only outside CI when chromium is not installed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/dashboard/chromium.ts';
import { MemorySource } from '../../src/dashboard/memory-source.ts';
import { sampleSweeps, sampleTrial } from '../../src/dashboard/sample.ts';
import { startDashboard, type DashboardServer } from '../../src/dashboard/server.ts';
import { sweepId } from '../../src/dashboard/view-model.ts';

const executablePath = chromiumPath();
const skip = !executablePath && !process.env.CI ? 'chromium not installed (apt-get install -y chromium); runs in CI' : false;

const NOW = Date.UTC(2026, 10, 26, 9);
let source: MemorySource;
let server: DashboardServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  assert.ok(executablePath, 'CI must have chromium: apt-get install -y chromium');
  source = new MemorySource(sampleSweeps(NOW));
  server = await startDashboard(source, { port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a finished sweep shows its trial table, and the page updates live', { skip, timeout: 50_000 }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
  await page.goto(`${server.url}/sweeps/sw-anchors-8f3a`);

  const rows = page.locator('#trials tbody tr');
  assert.equal(await rows.count(), 12);
  assert.equal(await page.locator('#trials tbody tr[data-trial="t01"] td').nth(4).innerText(), 'succeeded');
  assert.equal(await page.locator('table.comparison tbody tr').count(), 6);
  assert.match(await page.locator('table.comparison tr.best').innerText(), /\[8, 16, 32\]\s+\[0\.5, 1, 2\]/);
  // The live script opened its event stream.
  await page.waitForSelector('body[data-live="on"]', { timeout: 10_000 });
  await page.evaluate(() => {
    (globalThis as Record<string, unknown>).__sameDocument = true;
  });

  // The coordinator reports a new trial of this sweep, running.
  const id = sweepId('sw-anchors-8f3a');
  source.putTrial(id, sampleTrial({ sweep: id, id: 't13', axes: { 'anchors.scales': [8, 16, 32], 'anchors.ratios': [0.5, 1, 2] }, repeat: 2, target: 0.7, start: NOW, status: 'running', stagesDone: 3, now: NOW }));
  await page.waitForSelector('#trials tbody tr[data-trial="t13"]', { timeout: 10_000 });
  assert.equal(await rows.count(), 13);
  assert.equal(await page.locator('#trials tbody tr[data-trial="t13"] td').nth(4).innerText(), 'running');

  // ... and then finished: the row and the comparison table follow.
  source.putTrial(id, sampleTrial({ sweep: id, id: 't13', axes: { 'anchors.scales': [8, 16, 32], 'anchors.ratios': [0.5, 1, 2] }, repeat: 2, target: 0.7, start: NOW, status: 'succeeded', now: NOW }));
  // (Selectors, not waitForFunction: the page's Content-Security-Policy forbids eval, as it should.)
  await page.waitForSelector('#trials tbody tr[data-trial="t13"] .status-succeeded', { timeout: 10_000 });
  assert.match(await page.locator('table.comparison tr.best').innerText(), /\b3\b/, 'n = 3 for the best setting now');
  assert.equal(await page.evaluate(() => (globalThis as Record<string, unknown>).__sameDocument), true, 'updated without a reload');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sweeps list and a trial page render in the browser', { skip, timeout: 30_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  assert.equal(await page.locator('#sweeps tbody tr').count(), 2);
  await page.locator('#sweeps a', { hasText: 'anchor settings' }).click();
  await page.waitForURL(/\/sweeps\/sw-anchors-8f3a$/);
  await page.locator('#trials a', { hasText: 't01' }).click();
  await page.waitForURL(/\/trials\/t01$/);
  assert.equal(await page.locator('#class-ap tbody tr').count(), 21);
  assert.equal(await page.locator('#pr-curves svg').count(), 20);
  assert.equal(await page.locator('svg.timeline .bar-lost').count(), 1);
  assert.match(await page.locator('#attempts').innerText(), /lease expired/);
  await page.close();
});
