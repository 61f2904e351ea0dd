/**
 * Renders each dashboard page type to PNG with headless Chromium, from the sample sweeps:
 *   node --import tsx scripts/screenshots.ts OUTDIR
 * Needs Debian's chromium (`apt-get install -y chromium`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { MemorySource } from '../src/dashboard/memory-source.ts';
import { sampleSweeps } from '../src/dashboard/sample.ts';
import { startDashboard } from '../src/dashboard/server.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../src/dashboard/chromium.ts';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node --import tsx scripts/screenshots.ts OUTDIR\n');
    process.exitCode = 2;
    return;
  }
  const executablePath = chromiumPath();
  if (!executablePath) {
    process.stderr.write('screenshots: no Chromium found; install it with `apt-get install -y chromium`\n');
    process.exitCode = 1;
    return;
  }
  await mkdir(out, { recursive: true });
  const source = new MemorySource(sampleSweeps(Date.now()));
  source.setCluster({ jobsByState: { pending: 9, running: 1, succeeded: 138, failed: 0, cancelled: 0 }, pendingGpuJobs: 8, runningGpuJobs: 1, workers: 4 });
  const server = await startDashboard(source, { port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1320, height: 900 }, deviceScaleFactor: 1 });
    const shots: [string, string][] = [
      ['sweeps.png', '/'],
      ['sweep-finished.png', '/sweeps/sw-anchors-8f3a'],
      ['sweep-running.png', '/sweeps/sw-lambda-c41d'],
      ['trial.png', '/sweeps/sw-anchors-8f3a/trials/t01'],
    ];
    for (const [file, path] of shots) {
      await page.goto(server.url + path, { waitUntil: 'load' });
      await page.screenshot({ path: join(out, file), fullPage: true });
      process.stderr.write(`wrote ${join(out, file)}\n`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
