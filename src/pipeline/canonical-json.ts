/**
 * Canonical JSON (keys sorted, no whitespace, numbers in JavaScript's shortest round-trip
 * form) and its sha256. Two configs that are equal as values hash equal whatever the key
 * order they were written in, so stage keys are stable across files, processes and versions.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(v: unknown, at: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      // NaN/Infinity have no JSON form; silently writing null would merge distinct configs.
      if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${at} is ${v}, which has no JSON form`);
      return Object.is(v, -0) ? '0' : JSON.stringify(v);
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x, i) => write(x, `${at}[${i}]`)).join(',')}]`;
      const keys = Object.keys(v as object)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write((v as Record<string, unknown>)[k], `${at}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: ${at} is a ${typeof v}, which has no JSON form`);
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
