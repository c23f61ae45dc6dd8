import { spawn, type ChildProcess } from "node:child_process";

/**
 * `node --import tsx script`: one process. The `tsx` binary instead runs the script in a child
 * process, so a SIGKILL sent to it would leave the real worker running as an orphan.
 */
const NODE_ARGS = ["--import", "tsx"];

export interface ChildRun {
  child: ChildProcess;
  /** Parsed JSON lines printed so far. */
  events: Record<string, unknown>[];
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts `node --import tsx script args` with `env` added, collecting its JSON-lines stdout. */
export function runTsx(script: string, args: string[], env: Record<string, string> = {}): ChildRun {
  const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const events: Record<string, unknown>[] = [];
  let pending = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        events.push(JSON.parse(line));
      } catch {
        // not a JSON line: kept in stdout only
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => (err += d));
  const exited = new Promise<number | string>((res) => child.on("exit", (code, signal) => res(code ?? signal ?? -1)));
  return { child, events, stdout: () => out, stderr: () => err, exited };
}

/** Runs the real `sentivec` CLI from source (src/cli/main.ts) and collects its exit code and output. */
export async function runSentivec(args: string[], env: Record<string, string> = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const run = runTsx("src/cli/main.ts", args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/**
 * Waits until `test` holds (polling), or fails after `timeoutMs`. Given the children it waits on,
 * it fails as soon as one of them has ended, with that child's stderr, rather than waiting out the
 * timeout with nothing to show for why.
 */
export async function waitFor(test: () => boolean, timeoutMs = 30_000, what = "condition", children: ChildRun[] = []): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    const dead = children.find((r) => r.child.exitCode !== null || r.child.signalCode !== null);
    if (dead) throw new Error(`A child ended (${dead.child.exitCode ?? dead.child.signalCode}) before ${what}; its stderr:\n${dead.stderr()}`);
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
