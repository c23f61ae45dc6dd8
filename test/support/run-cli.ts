import { spawnSync } from "node:child_process";
import { join } from "node:path";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `sentivec` binary (dist/cli/main.js, built by `npm test`'s pretest step) as a user
 * would, in a child process with its own stdin. Tests of the CLI go through this.
 */
export function runCli(args: string[], options: { input?: string | Uint8Array; cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(process.cwd(), "dist", "cli", "main.js"), ...args], {
    cwd: options.cwd ?? process.cwd(),
    input: options.input ?? "",
    encoding: "utf8",
    env: { ...process.env, ...options.env },
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
