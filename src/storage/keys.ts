/**
 * Object keys: the one place that says what a key may look like, so the fs store can never
 * escape its root and every S3 server accepts the key as is.
 */
import { InvalidKeyError } from './errors.ts';

/** Longest key in bytes (S3 allows 1024; we keep room for a store prefix). */
export const MAX_KEY_LENGTH = 768;

const ALPHABET = /^[A-Za-z0-9._\-/=]+$/;

/**
 * Throws `InvalidKeyError` unless `key` uses only `[A-Za-z0-9._-/=]`, has no leading or
 * trailing `/`, no empty segment, no `.`/`..` segment, no hidden segment (leading `.`: reserved
 * for the stores' own temp files) and at most MAX_KEY_LENGTH characters.
 */
export function validateKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidKeyError(key.slice(0, 64) + '...', `longer than ${MAX_KEY_LENGTH} characters`);
  if (!ALPHABET.test(key)) {
    const bad = [...key].find((c) => !ALPHABET.test(c));
    throw new InvalidKeyError(key, `character ${JSON.stringify(bad)} is outside [A-Za-z0-9._-/=]`);
  }
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'absolute (leading "/")');
  for (const seg of key.split('/')) {
    if (seg === '') throw new InvalidKeyError(key, 'empty path segment ("//" or trailing "/")');
    if (seg === '..' || seg === '.') throw new InvalidKeyError(key, `"${seg}" segment`);
    if (seg.startsWith('.')) throw new InvalidKeyError(key, `hidden segment "${seg}" (leading ".")`);
  }
  return key;
}

/**
 * Validates a listing prefix: empty (everything), or a key prefix. A prefix may end in "/"
 * (a "directory") or stop mid-segment (`runs/2024-`).
 */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  validateKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** Joins key parts with "/", ignoring empty parts and stray slashes at the joins, then validates. */
export function joinKey(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');
  return validateKey(joined);
}
