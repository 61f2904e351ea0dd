#!/usr/bin/env node
// Builds the native BLAS addon (native/: im2col + OpenBLAS SGEMM convolutions for the wasm
// backend) with the node-gyp that ships inside npm, against the installed Node's headers.
// Optional by design: without g++ or libopenblas-dev it prints why and exits 0, and frcnn
// runs on XNNPACK alone. `--require` makes a missing prerequisite an error (CI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const required = process.argv.includes('--require');
const say = (msg) => console.error(`build:native: ${msg}`);
const skip = (why) => {
  say(`${required ? 'cannot build' : 'skipped'}: ${why}`);
  if (!required) say('frcnn will run its convolutions on XNNPACK (wasm) only; `apt-get install -y g++ libopenblas-dev && npm run build:native` to enable them');
  process.exit(required ? 1 : 0);
};

if (process.env.FRCNN_NATIVE_BLAS === 'off') skip('FRCNN_NATIVE_BLAS=off');
if (process.platform !== 'linux') skip(`only Linux builds are set up (this is ${process.platform})`);
const cblas = ['/usr/include/cblas.h', '/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/openblas/cblas.h'];
if (!cblas.some((p) => existsSync(p))) skip('no cblas.h (Debian: libopenblas-dev)');
if (spawnSync('g++', ['--version']).status !== 0) skip('no g++');

// npm sets npm_config_node_gyp inside its scripts; otherwise the copy bundled with npm.
const npmDir = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
const gyp = [process.env.npm_config_node_gyp, join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find((p) => p && existsSync(p));
if (!gyp) skip('node-gyp not found (it ships with npm)');
// Node's own headers when they are installed (no download: this machine may be offline).
const headers = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(headers, 'include', 'node', 'node_api.h')) ? [`--nodedir=${headers}`] : [];
const r = spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=warn', ...nodedir], { cwd: join(root, 'native'), stdio: ['ignore', 'ignore', 'inherit'] });
if (r.status !== 0) {
  say(`node-gyp failed (exit ${r.status})`);
  process.exit(required ? 1 : 0);
}
say(`built native/build/Release/frcnn_blas.node`);
