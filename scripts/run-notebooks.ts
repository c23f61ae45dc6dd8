/**
 * Executes sentivec's tslab notebooks headless, the way CI does, and checks the committed ones are clean.
 *
 *   npm run notebooks                                   check + execute every notebooks/*.ipynb; the executed
 *                                                       copies (with outputs) go to notebooks/.out/ (git-ignored)
 *   npm run notebooks -- a.ipynb b.ipynb                execute just these
 *   npm run notebooks -- --output-dir out               put the executed copies in out/ instead
 *   npm run notebooks -- --check [files]                only check the files hold no outputs / machine paths
 *   npm run notebooks -- --install-kernel [--prefix D]  install the "sentivec" kernel for Jupyter Lab / VS Code
 *
 * How it runs: a kernelspec named "sentivec" is written into a temp prefix (found through JUPYTER_PATH).
 * Its command is `sh -c 'cd <project root> && exec node_modules/.bin/tslab kernel --config-path "$0"'`,
 * so the kernel's working folder is the project root and notebooks import `./src/index` (compiled by
 * tslab itself; see notebooks/README.md for what that asks of src/) and read `datasets/...` whatever
 * folder they sit in (tslab refuses `../x` imports: "not under rootDir").
 * OPENAI_API_KEY is removed from the kernel's environment: the runs are offline and free.
 * Each notebook is then run by `jupyter nbconvert --to notebook --execute` WITHOUT --allow-errors, so
 * a failing cell (a type error, a throw, a kernel crash) stops the run with a non-zero exit. tslab
 * reports errors on the cell's stderr only, which nbconvert does not repeat, so nbconvert runs at
 * DEBUG log level and this script reads the failing cell's stderr back out of that log.
 *
 * Exit codes: 0 all passed, 1 a notebook failed or is not clean, 2 the set-up is missing (jupyter, tslab).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NOTEBOOK_DIR = join(ROOT, "notebooks");
const KERNEL_NAME = "sentivec";
const TSLAB = join(ROOT, "node_modules", ".bin", "tslab");
const APT_HINT = "apt-get install -y --no-install-recommends jupyter-nbconvert python3-ipykernel";

interface Args {
  files: string[];
  outputDir?: string;
  check: boolean;
  installKernel: boolean;
  prefix?: string;
  timeout: number;
}

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
}

interface Notebook {
  nbformat: number;
  cells: Cell[];
  metadata?: Record<string, unknown>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { files: [], check: false, installKernel: false, timeout: 600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(2, `${a} needs a value.`);
      return v;
    };
    if (a === "--output-dir") args.outputDir = resolve(value());
    else if (a === "--check") args.check = true;
    else if (a === "--install-kernel") args.installKernel = true;
    else if (a === "--prefix") args.prefix = resolve(value());
    else if (a === "--timeout") args.timeout = Number(value());
    else if (a === "-h" || a === "--help") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0].replace(/^\/\*\*|^ \* ?/gm, ""));
      process.exit(0);
    } else if (a.startsWith("-")) fail(2, `Unknown option ${a} (see --help).`);
    else args.files.push(resolve(a));
  }
  if (!(args.timeout > 0)) fail(2, "--timeout must be a number of seconds > 0.");
  return args;
}

function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

function readNotebook(file: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(file, "utf8")) as Notebook;
  } catch (e) {
    throw new Error(`${rel(file)}: not a readable notebook (${(e as Error).message})`);
  }
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new Error(`${rel(file)}: not an nbformat 4 notebook`);
  return nb;
}

function rel(file: string): string {
  const r = relative(process.cwd(), file);
  return r.startsWith("..") ? file : r;
}

function defaultNotebooks(): string[] {
  if (!existsSync(NOTEBOOK_DIR)) return [];
  return readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb")).sort().map((f) => join(NOTEBOOK_DIR, f));
}

// ---------- cleanliness: what may be committed ----------

/** Problems that keep a notebook from being committed: outputs, execution counts, timings, machine paths. */
function notebookProblems(file: string): string[] {
  const problems: string[] = [];
  let nb: Notebook;
  const text = readFileSync(file, "utf8");
  try {
    nb = readNotebook(file);
  } catch (e) {
    return [(e as Error).message];
  }
  nb.cells.forEach((cell, i) => {
    const where = `cell ${i + 1}`;
    if (cell.cell_type === "code") {
      if (Array.isArray(cell.outputs) && cell.outputs.length > 0) problems.push(`${where} has ${cell.outputs.length} output(s)`);
      if (cell.execution_count !== null && cell.execution_count !== undefined) problems.push(`${where} has execution_count ${cell.execution_count}`);
    } else if (cell.outputs !== undefined) {
      problems.push(`${where} (${cell.cell_type}) has an outputs field`);
    }
    if (cell.metadata && "execution" in cell.metadata) problems.push(`${where} has execution timings in its metadata`);
  });
  for (const { pattern, what } of machinePathPatterns()) {
    const m = pattern.exec(text);
    if (m) problems.push(`holds ${what}: ${m[0]}`);
  }
  return problems;
}

function machinePathPatterns(): { pattern: RegExp; what: string }[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const literal = [ROOT, homedir(), tmpdir(), safeRealpath(tmpdir())]
    .filter((p, i, all) => p.length > 1 && all.indexOf(p) === i)
    .map((p) => ({ pattern: new RegExp(escape(p)), what: `a machine path (${p})` }));
  return [
    ...literal,
    { pattern: /(?<=^|[\s"'`(=:])\/(?:home|root|Users|tmp|work|var|private|mnt|opt|srv|usr)\/[^\s"'`\\]*/m, what: "an absolute path" },
    { pattern: /\b[A-Za-z]:\\\\[^\s"']+/, what: "a Windows absolute path" },
    { pattern: /file:\/\/\S+/, what: "a file:// URL" },
  ];
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

// ---------- kernel ----------

/** A kernelspec whose kernel starts in the project root, so `./src/index` and `datasets/` resolve. */
function writeKernelSpec(kernelsDir: string): string {
  const dir = join(kernelsDir, KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const spec = {
    argv: ["sh", "-c", `cd ${q(ROOT)} && exec ${q(TSLAB)} kernel --config-path "$0"`, "{connection_file}"],
    display_name: "TypeScript (sentivec)",
    language: "typescript",
  };
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  return dir;
}

function checkSetup(): void {
  const r = spawnSync("jupyter", ["nbconvert", "--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    fail(2, `jupyter nbconvert is not installed (${r.error ? r.error.message : r.stderr.trim()}).\n` +
      `Install it with: ${APT_HINT}\n(Debian/Ubuntu; .ci/run does this on CI.)`);
  }
  if (!existsSync(TSLAB)) fail(2, `tslab is not installed in node_modules (looked for ${TSLAB}); run npm ci.`);
  if (!existsSync(join(ROOT, "node_modules", "@types", "node"))) {
    fail(2, "@types/node is not installed; without it every tslab cell fails with \"Cannot find name 'console'\". Run npm ci.");
  }
}

// ---------- execution ----------

interface RunResult {
  ok: boolean;
  seconds: number;
  report: string;
}

/** Python repr of a str (as nbclient logs it) → the string. Handles the escapes repr emits. */
function unrepr(s: string): string {
  const quote = s[0];
  const body = s.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case "n": return "\n";
      case "t": return "\t";
      case "r": return "\r";
      case "\\": return "\\";
      case "'": return "'";
      case '"': return '"';
      case "x": case "u": case "U": return String.fromCodePoint(parseInt(e.slice(1), 16));
      default: return (quote === e ? "" : "\\") + e;
    }
  });
}

/** The stderr streams each executed code cell wrote, in order (from nbclient's DEBUG log). */
function streamsByCell(log: string): string[] {
  const cells: string[] = [];
  for (const line of log.split("\n")) {
    if (line.startsWith("[NbConvertApp] Executing cell:")) cells.push("");
    const m = /^\[NbConvertApp\] content: \{'name': 'stderr', 'text': ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\}$/.exec(line);
    if (m && cells.length > 0) cells[cells.length - 1] += unrepr(m[1]);
  }
  return cells;
}

function runNotebook(file: string, outputDir: string, env: NodeJS.ProcessEnv, timeout: number): Promise<RunResult> {
  const started = Date.now();
  const args = [
    "nbconvert", "--to", "notebook", "--execute",
    `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    `--ExecutePreprocessor.timeout=${timeout}`,
    "--output-dir", outputDir,
    "--log-level=DEBUG",
    file,
  ];
  return new Promise((resolvePromise) => {
    const child = spawn("jupyter", args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (log += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (log += d));
    child.on("close", (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) {
        resolvePromise({ ok: true, seconds, report: "" });
        return;
      }
      resolvePromise({ ok: false, seconds, report: explainFailure(file, log, code, signal) });
    });
  });
}

function explainFailure(file: string, log: string, code: number | null, signal: NodeJS.Signals | null): string {
  const lines: string[] = [];
  const executed = (log.match(/^\[NbConvertApp\] Executing cell:$/gm) ?? []).length;
  let nb: Notebook | undefined;
  try {
    nb = readNotebook(file);
  } catch (e) {
    lines.push(`  ${(e as Error).message}`);
  }
  const errorAt = log.indexOf("CellExecutionError");
  const died = /Kernel died|DeadKernelError/.test(log);
  const timedOut = /Timeout waiting for execute reply|CellTimeoutError/.test(log);
  if (nb && executed > 0 && (errorAt >= 0 || died || timedOut)) {
    // nbclient executes the code cells with non-blank source, in order: the last one started is the culprit.
    const runnable = nb.cells.map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === "code" && sourceOf(c).trim() !== "");
    const culprit = runnable[executed - 1];
    const why = timedOut ? "timed out" : died ? "crashed the kernel" : "failed";
    if (culprit) {
      lines.push(`  cell ${culprit.i + 1} (code cell ${executed} of ${runnable.length}) ${why}:`);
      const src = sourceOf(culprit.c).split("\n");
      for (const l of src.slice(0, 8)) lines.push(`  | ${l}`);
      if (src.length > 8) lines.push(`  | ... (${src.length - 8} more lines)`);
    }
    const stderr = streamsByCell(log)[executed - 1]?.trim();
    if (stderr) {
      lines.push("  stderr:");
      for (const l of stderr.split("\n").slice(0, 30)) lines.push(`    ${l}`);
    }
    if (errorAt >= 0 && !stderr) {
      const tail = log.slice(errorAt).split("\n").slice(0, 20).join("\n    ");
      lines.push(`  ${tail}`);
    }
  } else {
    // Not a cell error: nbconvert itself failed (bad notebook, missing kernel...). Show its own messages.
    const own = log.split("\n").filter((l) => !/^\[NbConvertApp\] (msg_type|content|Executing cell)|^\s*$/.test(l));
    lines.push(`  jupyter nbconvert exited with ${signal ?? code}:`);
    for (const l of own.slice(-25)) lines.push(`    ${l}`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const files = args.files.length > 0 ? args.files : defaultNotebooks();

  if (args.installKernel) {
    checkSetup();
    let kernels: string;
    if (args.prefix) {
      kernels = join(args.prefix, "share", "jupyter", "kernels");
    } else {
      const r = spawnSync("jupyter", ["--data-dir"], { encoding: "utf8" });
      if (r.status !== 0) fail(2, "Cannot find Jupyter's data folder (jupyter --data-dir failed); pass --prefix DIR.");
      kernels = join(r.stdout.trim(), "kernels");
    }
    const dir = writeKernelSpec(kernels);
    console.log(`Installed the "${KERNEL_NAME}" kernel in ${dir}.` + (args.prefix ? ` Start Jupyter with JUPYTER_PATH=${join(args.prefix, "share", "jupyter")}.` : ""));
    return;
  }

  if (files.length === 0) fail(2, `No notebooks given and none in ${rel(NOTEBOOK_DIR)}.`);
  for (const f of files) if (!existsSync(f)) fail(2, `No such notebook: ${rel(f)}`);

  // Committed notebooks must be clean; checked before spending minutes executing them.
  const toCheck = args.check ? files : args.files.length === 0 ? files : [];
  let dirty = 0;
  for (const f of toCheck) {
    const problems = notebookProblems(f);
    if (problems.length > 0) {
      dirty++;
      console.error(`NOT CLEAN ${rel(f)}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
  }
  if (dirty > 0) console.error(`Clear outputs before committing (Jupyter: Edit > Clear All Outputs; or jupyter nbconvert --clear-output --inplace FILE).`);
  if (args.check) {
    if (dirty === 0) console.log(`${toCheck.length} notebook(s) clean.`);
    process.exit(dirty > 0 ? 1 : 0);
  }
  if (dirty > 0) process.exit(1);

  checkSetup();
  const work = mkdtempSync(join(tmpdir(), "sentivec-notebooks-"));
  // Kept after the run, so a user can open the results (the committed notebooks stay output-free).
  const outputDir = args.outputDir ?? join(NOTEBOOK_DIR, ".out");
  mkdirSync(outputDir, { recursive: true });
  writeKernelSpec(join(work, "share", "jupyter", "kernels"));
  const runtime = join(work, "runtime");
  mkdirSync(runtime, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: join(work, "share", "jupyter"),
    JUPYTER_RUNTIME_DIR: runtime,
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  // Notebook runs are offline and free: cells that would call OpenAI are guarded by this variable.
  delete env.OPENAI_API_KEY;

  let failed = 0;
  try {
    for (const f of files) {
      process.stdout.write(`running ${rel(f)} ... `);
      const r = await runNotebook(f, outputDir, env, args.timeout);
      if (r.ok) {
        console.log(`ok (${r.seconds.toFixed(1)} s): ${rel(join(outputDir, basename(f)))}`);
      } else {
        failed++;
        console.log(`FAILED (${r.seconds.toFixed(1)} s)`);
        console.error(`FAILED ${rel(f)}\n${r.report}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const passed = files.length - failed;
  console.log(`${passed} of ${files.length} notebook(s) passed; executed copies in ${rel(outputDir)}.`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e: unknown) => fail(2, `run-notebooks: ${(e as Error).stack ?? String(e)}`));
