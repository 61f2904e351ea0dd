/**
 * Registers tfjs-core's gradient functions. The CommonJS bundle Node loads
 * (`dist/tf-core.node.js`) contains none of them, and the ES-module files that do
 * (`dist/register_all_gradients.js`) import their siblings without file extensions, which
 * Node's ESM resolver rejects. A resolve hook scoped to tfjs-core's `dist/` folder appends
 * `.js`; the registrations land in the same global registry the engine reads.
 */
import { register } from 'node:module';

const HOOK = `
export async function resolve(specifier, context, next) {
  if (context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/') &&
      specifier.startsWith('.') && !specifier.endsWith('.js')) {
    return next(specifier + '.js', context);
  }
  return next(specifier, context);
}`;

let registered: Promise<void> | undefined;

/** Idempotent: makes `tf.grad`, `tf.variableGrads` etc. work for every built-in op. */
export function registerGradients(): Promise<void> {
  registered ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return registered;
}
