/** Number formatting as Python prints it, so our text output matches the reference tools'. */

/**
 * Python's `'{:0.Nf}'.format(x)`: the exact binary value rounded to `digits` decimals, ties
 * to even. (JavaScript's `toFixed` breaks exact ties upwards: 0.0625 → "0.063", Python "0.062".)
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const neg = x < 0 || Object.is(x, -0);
  // Exact decomposition |x| = mant * 2^exp.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  const scaled = mant * 10n ** BigInt(digits);
  let q: bigint;
  if (exp >= 0) q = scaled << BigInt(exp);
  else {
    const den = 1n << BigInt(-exp);
    q = scaled / den;
    const twice = 2n * (scaled % den);
    if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  }
  let s = q.toString().padStart(digits + 1, '0');
  if (digits > 0) s = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return neg ? `-${s}` : s;
}
