/**
 * Start-up cost of the CLI: an offline `predict` of one text, beside `node -e 0` (Node's own start),
 * measured side by side in one run, alternating, so both see the same machine load.
 *
 *   npm run build && npm run bench:cli-start -- [--runs 15] [--cli dist/cli/main.js ...]
 *
 * Trains an offline model (the default local embedder and 100 trees, as `npm start` does) into a temp
 * folder first, then times each command with bash's `time` (wall, user and system seconds); prints the
 * medians. Several --cli paths compare builds (e.g. one of an older commit). Goal (issue 13): the
 * predict ≤ 0.15 s of wall time on an idle machine; CPU seconds are given too because wall time
 * on a loaded machine says more about the load than about sentivec.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "15" },
    cli: { type: "string", multiple: true, default: [join("dist", "cli", "main.js")] },
  },
});
const RUNS = Number(values.runs);
const clis = values.cli!.map((c) => resolve(c));
const dir = mkdtempSync(join(tmpdir(), "sentivec-bench-cli-start-"));
const model = join(dir, "model");
const data = join("datasets", "uci-sentiment-labelled-sentences");

try {
  const trained = spawnSync(process.execPath, [clis[0], "train", join(data, "amazon_cells_labelled.txt"), join(data, "yelp_labelled.txt"), "--out", model, "--quiet"], { encoding: "utf8" });
  if (trained.status !== 0) throw new Error(`training the benchmark model failed: ${trained.stderr}`);

  const q = (args: string[]) => args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const commands: { name: string; line: string }[] = [
    { name: "node -e 0", line: q([process.execPath, "-e", "0"]) },
    ...clis.map((cli) => ({ name: `predict (${cli.replace(process.cwd() + "/", "")})`, line: q([process.execPath, cli, "predict", "-m", model, "really amazing, works perfectly"]) })),
  ];
  const samples = new Map(commands.map((c) => [c.name, [] as { wall: number; cpu: number }[]]));
  const load = loadavg()[0];
  for (let r = 0; r < RUNS; r++) {
    for (const c of commands) {
      const out = spawnSync("bash", ["-c", `TIMEFORMAT='%R %U %S'; time ${c.line} >/dev/null`], { encoding: "utf8" });
      if (out.status !== 0) throw new Error(`${c.name} failed: ${out.stderr}`);
      const [wall, user, sys] = out.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
      samples.get(c.name)!.push({ wall, cpu: user + sys });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = samples.get("node -e 0")!;
  const baseWall = median(base.map((s) => s.wall));
  const baseCpu = median(base.map((s) => s.cpu));
  console.log(`${RUNS} runs each, alternating; load average ${load.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (${process.version})`);
  console.log(`${"command".padEnd(44)} ${"wall s".padStart(7)} ${"cpu s".padStart(7)} ${"wall/node".padStart(10)} ${"cpu/node".padStart(9)}`);
  for (const c of commands) {
    const s = samples.get(c.name)!;
    const wall = median(s.map((x) => x.wall));
    const cpu = median(s.map((x) => x.cpu));
    console.log(`${c.name.padEnd(44)} ${wall.toFixed(3).padStart(7)} ${cpu.toFixed(3).padStart(7)} ${(wall / baseWall).toFixed(2).padStart(9)}x ${(cpu / baseCpu).toFixed(2).padStart(8)}x`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
