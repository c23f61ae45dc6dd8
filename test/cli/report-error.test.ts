import { CommanderError, InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { BUG_REPORT, reportError } from "../../src/cli/report-error.js";
import { DataError } from "../../src/errors.js";

function report(error: unknown): { code: number; text: string } {
  let text = "";
  const code = reportError(error, (t) => (text += t));
  return { code, text };
}

describe("the CLI's error policy (reportError)", () => {
  it("a SentivecError is one line", () => {
    const r = report(new DataError("DATA_X", "Bad label.", { where: { file: "a.csv", line: 3 }, hint: "Fix it." }));
    expect(r).toEqual({ code: 1, text: "sentivec: a.csv:3: Bad label. Fix it.\n" });
  });

  it("a system error nobody wrapped (the user's disk or paths) is still one line, not 'unexpected error'", () => {
    const e = Object.assign(new Error("EACCES: permission denied, open '/x/y'"), { code: "EACCES", syscall: "open", path: "/x/y" });
    const r = report(e);
    expect(r.code).toBe(1);
    expect(r.text).toBe("sentivec: /x/y: Could not open /x/y: permission denied (EACCES). Check the permissions, or write somewhere else, and run it again.\n");
  });

  it("a bug says 'unexpected error', where to report it, and gives the stack", () => {
    const r = report(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(r.code).toBe(1);
    expect(r.text.split("\n")[0]).toBe(`sentivec: unexpected error: ${BUG_REPORT}`);
    expect(BUG_REPORT).toMatch(/report it on the sentivec issue tracker/);
    expect(r.text).toMatch(/TypeError: Cannot read properties of undefined \(reading 'id'\)\n\s+at /);
  });

  it("commander's errors keep their exit code and print nothing more", () => {
    expect(report(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"))).toEqual({ code: 0, text: "" });
  });

  it("an invalid value found inside a command's action (commander never printed it) is printed, not swallowed", () => {
    expect(report(new InvalidArgumentError("--trees must be a whole number ≥ 1."))).toEqual({ code: 1, text: "sentivec: --trees must be a whole number ≥ 1.\n" });
  });
});
