/**
 * Ops that call the native addon per call (GroupNorm, RoIAlign, column sums) keep a JavaScript
 * form: tests run both, the native one skipped (with the reason) when the addon is not built.
 */
import { nativeBlas, setNativeBlasEnabled } from '../../src/backend/native/addon.ts';

export const NATIVE_FORMS = [
  { name: 'native', on: true, skip: nativeBlas() ? false : 'native addon not built' },
  { name: 'JavaScript', on: false, skip: false },
] as const;

/** `fn` with the addon switched on or off for its duration (sync or async). */
export function inForm<T>(on: boolean, fn: () => T): () => T {
  return () => {
    const previous = setNativeBlasEnabled(on);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      setNativeBlasEnabled(previous);
      throw e;
    }
    if (result instanceof Promise) return result.finally(() => setNativeBlasEnabled(previous)) as T;
    setNativeBlasEnabled(previous);
    return result;
  };
}
