import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * What a user gets from `npm install sentivec`: the packed tarball, unpacked into a scratch project's
 * node_modules. The scratch project sits inside the repository so the package's own dependencies
 * resolve from the repository's node_modules (as npm would have installed them), without a network.
 */
const ROOT = process.cwd();
const scratch = mkdtempSync(join(ROOT, ".scratch-pack-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the npm package", () => {
  it("installs from its tarball and type-checks and runs `import { ... } from \"sentivec\"`", () => {
    const [{ filename, files }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", scratch], { cwd: ROOT, encoding: "utf8" }));
    const paths: string[] = files.map((f: { path: string }) => f.path);
    expect(paths).toContain("dist/index.js");
    expect(paths).toContain("dist/index.d.ts");
    expect(paths).toContain("dist/cli/main.js");
    expect(paths.some((p) => p.startsWith("src/") || p.startsWith("test/"))).toBe(false);
    // The only data shipped is the offline embedder's word table and lexicon file, with their credits.
    expect(paths.filter((p) => p.startsWith("datasets/")).sort()).toEqual(["datasets/README.md", "datasets/glove-lex/glove-lex-v1.table.blocks", "datasets/glove-lex/glove-lex-v1.table.part0", "datasets/glove-lex/glove-lex-v1.table.part1", "datasets/glove-lex/glove-lex-v2.lexicon"]);
    expect(paths).toContain("NOTICE");

    const pkgDir = join(scratch, "node_modules", "sentivec");
    mkdirSync(pkgDir, { recursive: true });
    execFileSync("tar", ["-xzf", join(scratch, filename), "-C", pkgDir, "--strip-components=1"]);
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", type: "module", private: true }));
    writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")] },
      files: ["use.ts"],
    }));
    writeFileSync(join(scratch, "use.ts"), `
import { SentimentModel, HashEmbedder, type LabeledText, type Prediction } from "sentivec";
const rows: [string, string][] = [
  ["great phone, love it", "positive"], ["excellent sound", "positive"], ["works perfectly", "positive"],
  ["really happy with it", "positive"], ["best purchase ever", "positive"], ["good value", "positive"],
  ["broke after a day", "negative"], ["terrible battery", "negative"], ["waste of money", "negative"],
  ["very disappointed", "negative"], ["does not work", "negative"], ["awful quality", "negative"],
];
const items: LabeledText[] = rows.map(([text, label]) => ({ text, label, source: { file: "inline" } }));
const { model } = await SentimentModel.train(items, { embedder: new HashEmbedder({ dimensions: 128 }), testSize: 0, forest: { nEstimators: 25 } });
const out: Prediction[] = await model.predict(["love it, excellent", "broke, waste of money"]);
// The default embedder finds its word table inside the installed package, whatever the working folder.
const glove = await SentimentModel.train(items, { testSize: 0, forest: { nEstimators: 25 } });
const out2: Prediction[] = await glove.model.predict(["love it, excellent", "broke, waste of money"]);
console.log(JSON.stringify([...out.map((p) => p.label), glove.model.embedderInfo.id, ...out2.map((p) => p.label)]));
`);
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", scratch], { cwd: scratch, encoding: "utf8" });
    const printed = execFileSync(process.execPath, [join(scratch, "use.js")], { cwd: scratch, encoding: "utf8" });
    expect(JSON.parse(printed)).toEqual(["positive", "negative", "local:glove-lex-v2@133", "positive", "negative"]);
  });
});
