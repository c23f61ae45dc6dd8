import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

/** Commander wraps help to the terminal width: join the lines of one option's description. */
function optionHelp(help: string, flag: string): string {
  const lines = help.split("\n");
  const start = lines.findIndex((l) => l.trimStart().startsWith(flag));
  expect(start, `${flag} in help`).toBeGreaterThanOrEqual(0);
  const out = [lines[start]];
  for (let i = start + 1; i < lines.length && /^\s{10,}\S/.test(lines[i]); i++) out.push(lines[i].trim());
  return out.join(" ").replace(/\s+/g, " ");
}

describe("help of the commands that use a saved model", () => {
  for (const command of ["predict", "evaluate"]) {
    it(`${command} --help says --embedder and --dimensions come from the bundle and when they matter`, () => {
      const r = runCli([command, "--help"], { env: { COLUMNS: "100" } });
      expect(r.code).toBe(0);
      expect(optionHelp(r.stdout, "--embedder")).toMatch(/default: the embedder the model bundle records\. Needed only for a model trained on precomputed vectors of unknown origin/);
      expect(optionHelp(r.stdout, "--dimensions")).toMatch(/with --embedder: its vector size \(default: the size the bundle records; a different one is refused\)/);
    });
  }

  it("train --help still offers the embedder choice", () => {
    const r = runCli(["train", "--help"], { env: { COLUMNS: "100" } });
    expect(optionHelp(r.stdout, "--embedder")).toMatch(/embedder: \S+ .*openai:MODEL/);
    expect(optionHelp(r.stdout, "--report")).toMatch(/self-contained HTML report/);
  });
});
