import { InvalidArgumentError } from "commander";

/**
 * Strict parsers for numeric command-line values. `Number()` alone reads "" and " " as 0, "0x10" as 16
 * and "1e3" as 1000, so an empty `--seed ''` silently became seed 0: these accept plain decimal
 * notation only and say what is allowed (commander's message already quotes the value given).
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const WHOLE = /^\+?\d+$/;

/** `value` as a finite decimal number, or undefined when it is not written as one. */
export function strictNumber(value: string): number | undefined {
  const t = value.trim();
  if (!DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** `value` as a whole number written in decimal digits, or undefined. */
export function strictWholeNumber(value: string): number | undefined {
  const t = value.trim();
  if (!WHOLE.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A commander parser for a fraction in (0, 1), or [0, 1) when zero is allowed. */
export function parseFraction(name: string, allowZero = false) {
  return (value: string): number => {
    const n = strictNumber(value);
    if (n === undefined || !(n < 1 && (n > 0 || (allowZero && n === 0)))) {
      throw new InvalidArgumentError(`${name} must be a number from ${allowZero ? "0 (inclusive)" : "0 (exclusive)"} to 1 (exclusive), e.g. 0.2.`);
    }
    return n === 0 ? 0 : n; // -0 is 0
  };
}

/** A commander parser for a whole number in [min, max]. */
export function parseWholeNumber(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = strictWholeNumber(value);
    if (n === undefined || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${name} must be a whole number ${range}.`);
    }
    return n;
  };
}

export const MAX_SEED = 0xffffffff;

export function parseSeed(value: string): number {
  const n = strictWholeNumber(value);
  if (n === undefined || n > MAX_SEED) throw new InvalidArgumentError(`--seed must be a whole number from 0 to ${MAX_SEED}.`);
  return n;
}
