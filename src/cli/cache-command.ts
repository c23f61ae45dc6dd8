import type { Command } from "commander";
import { EmbeddingCache } from "../embed/embedding-cache.js";
import { AtomicOutput } from "../util/atomic-output.js";
import { fileSystemError } from "../util/fs-error.js";
import { checkOutputFile } from "../util/output-path.js";
import { printJson } from "./cli-output.js";
import { cachePath, DEFAULT_CACHE_PATH } from "./embedder-options.js";

interface CacheCliOptions {
  cache?: string;
  embedder?: string;
  json?: boolean;
  out?: string;
}

/**
 * `sentivec cache stats|clear|export`: look into, empty, or dump the embedding cache. stats and
 * export open the file read-only, so they are safe while an `embed` run is writing to it.
 */
export function registerCacheCommand(program: Command): void {
  const cache = program.command("cache").description("inspect, clear or export the embedding cache");
  const where = `cache file (default: $SENTIVEC_CACHE or ${DEFAULT_CACHE_PATH})`;

  cache
    .command("stats")
    .description("vectors stored per embedder, and the file size")
    .option("--cache <path>", where)
    .option("--json", "print as JSON")
    .action((o: CacheCliOptions) => {
      const c = new EmbeddingCache(cachePath(o), { readonly: true });
      try {
        const s = c.stats();
        if (o.json) return printJson(s);
        console.log(`${s.path}: ${s.total} vectors, ${(s.bytes / 1024 / 1024).toFixed(1)} MiB`);
        for (const e of s.byEmbedder) console.log(`  ${e.embedderId.padEnd(44)} ${String(e.count).padStart(9)}`);
      } finally {
        c.close();
      }
    });

  cache
    .command("clear")
    .description("delete cached vectors: all of them, or one embedder's")
    .option("--cache <path>", where)
    .option("--embedder <id>", "only this embedder id, e.g. openai:text-embedding-3-small@256 (see `cache stats`)")
    .option("--json", "print as JSON")
    .action((o: CacheCliOptions) => {
      const c = new EmbeddingCache(cachePath(o));
      try {
        const removed = c.clear(o.embedder);
        if (o.json) return printJson({ path: c.path, embedderId: o.embedder ?? null, removed });
        console.log(`Removed ${removed} vectors${o.embedder ? ` of ${o.embedder}` : ""} from ${c.path}.`);
      } finally {
        c.close();
      }
    });

  cache
    .command("export")
    .description("write cached vectors as JSON lines {id, sha, vector} (stdout, or --out)")
    .option("--cache <path>", where)
    .option("--embedder <id>", "only this embedder id")
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (o: CacheCliOptions) => {
      if (o.out) checkOutputFile(o.out, "export", "--out");
      const c = new EmbeddingCache(cachePath(o), { readonly: true });
      try {
        if (o.out) await exportToFile(c.export(o.embedder), o.out);
        else await exportToStdout(c.export(o.embedder));
      } finally {
        c.close();
      }
    });
}

/**
 * Resolves when `out` drains, errors or closes, and removes all three listeners whichever comes
 * first. (Racing once("drain") against once("error") left an error listener behind on every wait,
 * so a long export printed MaxListenersExceededWarning.)
 */
function drainedOrFailed(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("error", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("error", done);
    out.on("close", done);
  });
}

/** --out: written atomically, so a full disk or a kill leaves the previous file (if any), never half of one. */
async function exportToFile(rows: Iterable<unknown>, file: string): Promise<void> {
  let out: AtomicOutput | undefined;
  try {
    out = await AtomicOutput.open(file);
    for (const row of rows) await out.write(`${JSON.stringify(row)}\n`);
    await out.commit();
  } catch (cause) {
    await out?.abort();
    throw fileSystemError(cause, { action: "write the export", path: file, unchanged: "The cache is unchanged." });
  }
}

/** A reader that stops early (`| head`) closes the pipe: stop quietly rather than crash on EPIPE. */
async function exportToStdout(rows: Iterable<unknown>): Promise<void> {
  const out = process.stdout;
  let closed = false;
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") closed = true;
  };
  out.on("error", onError);
  try {
    for (const row of rows) {
      if (closed) break;
      if (!out.write(`${JSON.stringify(row)}\n`)) await drainedOrFailed(out);
    }
  } finally {
    out.off("error", onError);
  }
}
