import { InvalidArgumentError } from "commander";

/** A commander parser for a fraction in (0, 1), or [0, 1) when zero is allowed. */
export function parseFraction(name: string, allowZero = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!(Number.isFinite(n) && n < 1 && (n > 0 || (allowZero && n === 0)))) {
      throw new InvalidArgumentError(`${name} must be a number between ${allowZero ? "0 (inclusive)" : "0"} and 1.`);
    }
    return n;
  };
}

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError("--seed must be a whole number from 0 to 4294967295.");
  return n;
}
