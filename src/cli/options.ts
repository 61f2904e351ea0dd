/** Parsers for command-line option values; each throws a UsageError naming the flag. */
import { UsageError } from '../util/errors.ts';

export function parseIntOption(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`${flag}: expected an integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

export function parseFloatOption(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`${flag}: expected a number, got ${JSON.stringify(v)}`);
    return n;
  };
}

export function parseNumberList(flag: string): (v: string) => number[] {
  return (v) => {
    const parts = v.split(',').map((s) => s.trim());
    const nums = parts.map(Number);
    if (parts.length === 0 || nums.some((n, i) => parts[i] === '' || !Number.isFinite(n))) {
      throw new UsageError(`${flag}: expected comma-separated numbers, got ${JSON.stringify(v)}`);
    }
    return nums;
  };
}
