/**
 * What reproduces a stage's result, recorded in it: code version (package.json and the git
 * commit when the source is a checkout, or `FRCNN_GIT_COMMIT` in images), compute backend,
 * dataset digest and seed. Also the one place stages start the compute backend.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackendInfo } from '../backend/types.ts';
import { registerGradients } from '../detection/tf-gradients.ts';
import type { JsonObject } from '../pipeline/executor.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let codeVersion: { version: string; commit: string | null } | undefined;

export function codeVersionInfo(): { version: string; commit: string | null } {
  if (!codeVersion) {
    let version = 'unknown';
    try {
      version = (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { version: string }).version;
    } catch {
      // a bundled build without package.json: leave "unknown"
    }
    let commit: string | null = process.env.FRCNN_GIT_COMMIT ?? null;
    if (!commit) {
      try {
        commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
      } catch {
        commit = null;
      }
    }
    codeVersion = { version, commit };
  }
  return codeVersion;
}

let compute: Promise<BackendInfo> | undefined;

/** Start tfjs once per process (gradients + best backend, `FRCNN_BACKEND` to choose). */
export function ensureCompute(): Promise<BackendInfo> {
  compute ??= (async () => {
    await registerGradients();
    const { initBackend, isBackendName } = await import('../backend/index.ts');
    const requested = process.env.FRCNN_BACKEND;
    return initBackend({ backend: requested && isBackendName(requested) ? requested : undefined });
  })().catch((err: unknown) => {
    compute = undefined;
    throw err;
  });
  return compute;
}

/** The `provenance` field of a stage result. */
export function provenance(fields: { config: object; backend?: BackendInfo; datasetDigest?: string; seed?: number }): JsonObject {
  const out: JsonObject = {
    code: codeVersionInfo(),
    config: JSON.parse(JSON.stringify(fields.config)) as JsonObject,
  };
  if (fields.backend) out.backend = { name: fields.backend.name, device: fields.backend.device, threads: fields.backend.threads, tfjs: fields.backend.tfjsVersion };
  if (fields.datasetDigest) out.datasetDigest = fields.datasetDigest;
  if (fields.seed !== undefined) out.seed = fields.seed;
  return out;
}

/**
 * Stop the wasm backend's pthread workers, which otherwise keep a finished command's process
 * alive. For the end of a CLI command only: tfjs cannot run on the wasm backend afterwards.
 */
export async function releaseCompute(): Promise<void> {
  if (!compute) return;
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = tf.findBackend('wasm') as unknown as { wasm?: { PThread?: { terminateAllThreads(): void } } } | undefined;
  wasm?.wasm?.PThread?.terminateAllThreads();
}
