/**
 * Shared by the tests of the native addon's kernels: whether it is in use (skipped with the
 * reason when not, unless FRCNN_REQUIRE_NATIVE=1: CI sets it, so a build that silently fell
 * back fails instead of passing unseen), and hooks that send every op to it.
 */
import { after, before } from 'node:test';
import { initBackend } from '../../src/backend/index.ts';
import { loadNativeBlas, setNativeMinMacs } from '../../src/backend/native/index.ts';
import { registerGradients } from '../../src/detection/tf-gradients.ts';

export const nativeStatus = loadNativeBlas();

export const nativeSkip: false | string =
  nativeStatus.kind === 'loaded' || process.env.FRCNN_REQUIRE_NATIVE === '1' ? false : `native addon not in use: ${nativeStatus.kind === 'absent' ? nativeStatus.reason : ''}`;

/** wasm with our kernels and gradients, the size threshold at 0 (every op to the addon) for the file's tests. */
export function sendEveryOpToTheAddon(): void {
  let previous = 0;
  before(async () => {
    await initBackend({ backend: 'wasm' });
    await registerGradients();
    previous = setNativeMinMacs(0);
  });
  after(() => {
    setNativeMinMacs(previous);
  });
}
