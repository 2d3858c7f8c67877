/**
 * Checks a typed quantity before it is sent, with the server's rules (src/exchange/decimal.ts): a plain decimal
 * (digits, optionally a dot and more digits), at most `decimals` places (extra trailing zeros are fine),
 * above zero and at most `max`. Exact: compared as bigint units, never as a JavaScript number. The server
 * checks again; this only gives a clear message sooner.
 */

export type QuantityProblem = 'required' | 'format' | 'decimals' | 'zero' | 'max';

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Units of 10^-decimals, or the reason the text is not an exact amount. */
function toUnits(text: string, decimals: number): bigint | 'format' | 'decimals' {
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null) return 'format';
  const whole = match[1] ?? '0';
  let fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    if (!/^0*$/.test(fraction.slice(decimals))) return 'decimals';
    fraction = fraction.slice(0, decimals);
  }
  return BigInt(whole + fraction.padEnd(decimals, '0'));
}

export function checkQuantity(
  text: string,
  limits: { decimals: number; max: string },
): QuantityProblem | undefined {
  if (text === '') return 'required';
  const units = toUnits(text, limits.decimals);
  if (typeof units !== 'bigint') return units;
  if (units === 0n) return 'zero';
  const max = toUnits(limits.max, limits.decimals);
  if (typeof max === 'bigint' && units > max) return 'max';
  return undefined;
}
