import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingError } from "../../src/errors.js";
import { CACHE_APPLICATION_ID, CACHE_SCHEMA_VERSION, EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { expectedVector, OpenAITestServer, sha256 } from "../support/openai-test-server.js";
import { runTsx, waitFor } from "../support/run-child.js";
import { serverFingerprint } from "../../src/embed/embedder-identity.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sentivec-cache-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vec = (...xs: number[]) => Float32Array.from(xs);

describe("EmbeddingCache", () => {
  it("stores Float32 vectors by (embedder id, sha) and reports stats, clear and export", () => {
    const path = join(dir, "sub", "basic.sqlite"); // parent folder is created
    const c = new EmbeddingCache(path);
    c.putMany("e1@3", [
      { sha: sha256("a"), vector: vec(1, 2, 3) },
      { sha: sha256("b"), vector: vec(0.5, -0.25, 1e-7) },
    ]);
    c.putMany("e2@2", [{ sha: sha256("a"), vector: vec(9, 9) }]);
    expect(Array.from(c.get("e1@3", sha256("b"))!)).toEqual(Array.from(vec(0.5, -0.25, 1e-7)));
    expect(Array.from(c.get("e2@2", sha256("a"))!)).toEqual([9, 9]);
    expect(c.get("e2@2", sha256("b"))).toBeUndefined();
    const hits = c.getMany("e1@3", [sha256("a"), sha256("zz")]);
    expect([...hits.keys()]).toEqual([sha256("a")]);
    const s = c.stats();
    expect(s.total).toBe(3);
    expect(s.byEmbedder).toEqual([
      { embedderId: "e1@3", dimensions: 3, count: 2 },
      { embedderId: "e2@2", dimensions: 2, count: 1 },
    ]);
    expect(s.bytes).toBeGreaterThan(0);
    const rows = [...c.export("e1@3")];
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.sha === sha256("a"))).toEqual({ id: "e1@3", sha: sha256("a"), vector: [1, 2, 3] });
    expect(c.clear("e2@2")).toBe(1);
    expect(c.clear()).toBe(2);
    expect(c.stats().total).toBe(0);
    c.close();
    // Reopening finds our schema; read-only opening works too.
    new EmbeddingCache(path).close();
    new EmbeddingCache(path, { readonly: true }).close();
  });

  it("refuses a file that is not SQLite and leaves it untouched", () => {
    const path = join(dir, "garbage.sqlite");
    const bytes = Buffer.from("this is not a database at all, just some text that happens to be here\n".repeat(50));
    writeFileSync(path, bytes);
    let err: unknown;
    try {
      new EmbeddingCache(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EmbeddingError);
    expect((err as EmbeddingError).code).toBe("CACHE_FOREIGN");
    expect((err as Error).message).toMatch(/not a sentivec embedding cache: it is not a SQLite database/);
    expect((err as Error).message).toContain(path);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("refuses another program's SQLite database and leaves it untouched", () => {
    const path = join(dir, "other.sqlite");
    const db = new Database(path);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me');");
    db.close();
    const before = readFileSync(path);
    expect(() => new EmbeddingCache(path)).toThrow(/another program/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("reports a damaged sentivec cache clearly instead of replacing it", () => {
    const path = join(dir, "damaged.sqlite");
    const c = new EmbeddingCache(path);
    c.putMany("e@4", Array.from({ length: 500 }, (_, i) => ({ sha: sha256(String(i)), vector: vec(i, i, i, i) })));
    c.close();
    const bytes = readFileSync(path);
    // Keep the 100-byte header, smash the rest of page 1 (the schema) and beyond.
    for (let i = 100; i < Math.min(bytes.length, 8192); i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(path, bytes);
    expect(() => new EmbeddingCache(path)).toThrow(EmbeddingError);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("reports a missing cache when opened read-only", () => {
    expect(() => new EmbeddingCache(join(dir, "nope.sqlite"), { readonly: true })).toThrow(/No embedding cache/);
  });

  it("waits for another process that holds the new file's write lock, instead of failing with 'database is locked'", async () => {
    // A process (here in rollback-journal mode, as a cache is until its first open switches it to
    // WAL) holds the write lock while creating the cache. SQLite answers the WAL switch with
    // SQLITE_BUSY at once, without its busy handler, so this open used to fail (CI saw it with two
    // processes creating one cache together).
    const path = join(dir, "held.sqlite");
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const db = new (require("better-sqlite3"))(process.argv[1]);
         db.exec("BEGIN IMMEDIATE");
         db.exec("CREATE TABLE embeddings (embedder_id TEXT NOT NULL, sha TEXT NOT NULL, dimensions INTEGER NOT NULL, vector BLOB NOT NULL, created_at INTEGER NOT NULL, UNIQUE (embedder_id, sha))");
         db.pragma("application_id = ${CACHE_APPLICATION_ID}");
         db.pragma("user_version = ${CACHE_SCHEMA_VERSION}");
         process.stdout.write("held\\n");
         setTimeout(() => { db.exec("COMMIT"); db.close(); }, 400);`,
        path,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((res) => holder.on("exit", res));
    await new Promise((res) => holder.stdout!.once("data", res));
    const c = new EmbeddingCache(path);
    c.putMany("e@2", [{ sha: sha256("x"), vector: vec(1, 2) }]);
    expect(Array.from(c.get("e@2", sha256("x"))!)).toEqual([1, 2]);
    c.close();
    expect(await exited).toBe(0);
  });

  it("is shared safely by two processes writing at once", async () => {
    const server = await OpenAITestServer.start({ apiKey: "testkey-test-two-procs-000000", latencyMs: 20 });
    try {
      const path = join(dir, "shared.sqlite");
      const all = Array.from({ length: 3000 }, (_, i) => `shared text ${i}`);
      const a = all.slice(0, 2000);
      const b = all.slice(1000).reverse(); // 1000 texts overlap; each process starts with its own texts
      writeFileSync(join(dir, "a.json"), JSON.stringify(a));
      writeFileSync(join(dir, "b.json"), JSON.stringify(b));
      const common = ["--wait-for", join(dir, "go"), "--base-url", server.url, "--cache", path, "--dimensions", "16", "--max-inputs", "20", "--concurrency", "4"];
      const env = { OPENAI_API_KEY: "testkey-test-two-procs-000000" };
      const runs = [runTsx("test/support/embed-child.ts", [...common, "--texts", join(dir, "a.json")], env), runTsx("test/support/embed-child.ts", [...common, "--texts", join(dir, "b.json")], env)];
      await waitFor(() => runs.every((r) => r.events.some((e) => e.event === "ready")), 60_000, "both children ready", runs);
      writeFileSync(join(dir, "go"), "");
      const codes = await Promise.all(runs.map((r) => r.exited));
      for (const r of runs) expect(r.stderr()).toBe("");
      expect(codes).toEqual([0, 0]);
      for (const r of runs) expect(r.events.at(-1)).toMatchObject({ event: "done" });
      // Both wrote while the other did (their request windows overlap in the server log).
      expect(server.log.length).toBeGreaterThanOrEqual(200);
      const onlyA = new Set(all.slice(0, 1000).map(sha256));
      const onlyB = new Set(all.slice(2000).map(sha256));
      const span = (set: Set<string>) => {
        const times = server.log.filter((l) => l.shas.some((s) => set.has(s))).map((l) => l.answeredAt);
        return [Math.min(...times), Math.max(...times)];
      };
      const [a0, a1] = span(onlyA);
      const [b0, b1] = span(onlyB);
      expect(a0 < b1 && b0 < a1, `spans A ${a0}-${a1} B ${b0}-${b1}`).toBe(true);
      const c = new EmbeddingCache(path);
      expect(c.stats().total).toBe(3000);
      for (const t of [all[0], all[1500], all[2999]]) {
        expect(Array.from(c.get(`openai:text-embedding-3-small@16~${serverFingerprint(server.url)}`, sha256(t))!)).toEqual(Array.from(expectedVector(t, 16)));
      }
      c.close();
    } finally {
      await server.close();
    }
  });
});
