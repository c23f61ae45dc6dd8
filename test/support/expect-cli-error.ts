import { expect } from "vitest";

/**
 * A failed command exits non-zero and ends stderr with exactly one error line ("sentivec: ...").
 * Status lines printed before the failure (e.g. "Loaded N rows") may precede it. Nothing a user can
 * cause may print a stack trace or "unexpected error" (that wording is kept for real bugs).
 */
export function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp, exitCode?: number): void {
  if (exitCode === undefined) expect(r.code, r.stderr).not.toBe(0);
  else expect(r.code, r.stderr).toBe(exitCode);
  const lines = r.stderr.trim().split("\n");
  const errors = lines.filter((l) => l.startsWith("sentivec: "));
  expect(errors, r.stderr).toHaveLength(1);
  expect(lines.at(-1)).toBe(errors[0]);
  expect(errors[0]).toMatch(pattern);
  expect(errors[0]).not.toMatch(/unexpected error/);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}
