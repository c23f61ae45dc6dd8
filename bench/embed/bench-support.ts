import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** The key both embedding benchmarks give their test server (shaped so no secret scanner takes it for a real one). */
export const BENCH_KEY = "testkey-bench-not-a-real-key";

/** `--name N` from the command line, or `def`. */
export function numberOption(argv: readonly string[], name: string, def: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
}

/** Unique SST-2 train sentences (column 1, before the tab; header skipped), the first `limit` of them. */
export function loadSst2Texts(limit = Number.POSITIVE_INFINITY): string[] {
  const lines = readFileSync("datasets/sst2/train_full.tsv", "utf8").split("\n").slice(1);
  const seen = new Set<string>();
  for (const line of lines) {
    if (seen.size >= limit) break;
    const text = line.split("\t")[0];
    if (text && text.trim()) seen.add(text);
  }
  return [...seen];
}

/** Starts test/support/openai-test-server.ts with `args` in a child process; resolves with its URL (its first stdout line). */
export async function spawnTestServer(args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/openai-test-server.ts", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)).url);
    });
    child.once("exit", (code) => reject(new Error(`test server exited with ${code}`)));
  });
  return { url, child };
}
