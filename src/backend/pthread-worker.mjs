// Entry point of the wasm backend's pthread workers under Node (see wasm-module.ts).
// tfjs-backend-wasm ships the worker source only as a string meant for a Blob URL, which
// worker_threads cannot load; this file runs that string with `require` and `__filename`
// in scope, as Emscripten's worker expects. The source is a template literal in which
// "\n" escapes became real newlines inside string literals; tfjs re-escapes them the same
// way before building its Blob.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const { wasmWorkerContents } = require(join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'));
new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, fileURLToPath(import.meta.url));
