import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluatePredictions } from "../../src/evaluate/evaluation-report.js";
import { renderHtmlReport } from "../../src/report/html-report.js";
import { argmax } from "../../src/util/argmax.js";
import { Random } from "../../src/util/random.js";
import { writeFileSync } from "node:fs";
import { runCli } from "../support/run-cli.js";
import { DATASETS, ROOT, useTempDir } from "../support/temp-dir.js";

/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core (which
 * brings no browser of its own). Each chart must have rendered at a real size with its elements, the
 * page must log no console error and make no request beyond its own file, and a full-page screenshot
 * is left in test-artifacts/ (git-ignored) for a human to look at. Chromium is installed by
 * scripts/ensure-browser.sh before `npm test`; when it is missing this test fails and says so.
 */
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = join(ROOT, "test-artifacts");
const tmp = useTempDir();
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The HTML report test needs Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (scripts/ensure-browser.sh does it before npm test).`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface PageCheck {
  consoleErrors: string[];
  requests: string[];
  charts: Record<string, { width: number; height: number; count: number }>;
}

/** Opens a report file, measures each chart and the given elements in it, and saves a screenshot. */
async function openReport(file: string, shot: string, selectors: Record<string, string>): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: 1150, height: 900 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  const charts: PageCheck["charts"] = {};
  for (const [name, inner] of Object.entries(selectors)) {
    const chart = page.locator(`svg[data-chart="${name}"]`);
    expect(await chart.count(), `chart ${name}`).toBe(1);
    const box = await chart.boundingBox();
    charts[name] = { width: box?.width ?? 0, height: box?.height ?? 0, count: await chart.locator(inner).count() };
  }
  await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
  await page.close();
  return { consoleErrors, requests, charts };
}

describe("HTML report in Chromium", () => {
  it("train --report: a binary report with every chart drawn, offline, screenshot saved", async () => {
    const report = join(tmp.dir, "train-report.html");
    const amazon = join(DATASETS, "uci-sentiment-labelled-sentences", "amazon_cells_labelled.txt");
    const r = runCli(["train", amazon, "--out", join(tmp.dir, "model"), "--trees", "25", "--report", report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Wrote the HTML report ${report}`);
    const page = await openReport(report, "report-binary.png", {
      confusion: "g.cell",
      roc: "path.curve",
      reliability: "circle.point",
      histogram: "path.series",
    });
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(report).href]);
    for (const [name, c] of Object.entries(page.charts)) {
      expect(c.width, `${name} width`).toBeGreaterThan(200);
      expect(c.height, `${name} height`).toBeGreaterThan(150);
    }
    expect(page.charts.confusion.count).toBe(4);
    expect(page.charts.roc.count).toBe(1);
    expect(page.charts.reliability.count).toBeGreaterThanOrEqual(5);
    expect(page.charts.histogram.count).toBe(2);
    expect(statSync(join(ARTIFACTS, "report-binary.png")).size).toBeGreaterThan(20_000);
  }, 180_000);

  it("three classes: one-vs-rest ROC curves, a 3×3 heatmap and one histogram per class", async () => {
    const labels = ["negative", "neutral", "positive"];
    const rng = new Random(7);
    const yTrue: number[] = [];
    const proba: Float64Array[] = [];
    for (let i = 0; i < 300; i++) {
      const t = i % 3;
      const raw = [0, 1, 2].map((c) => Math.exp((c === t ? 1.6 : 0) + rng.next() * 1.8));
      const s = raw.reduce((a, b) => a + b, 0);
      yTrue.push(t);
      proba.push(Float64Array.from(raw, (v) => v / s));
    }
    const report = evaluatePredictions({ labels, yTrue, yPred: proba.map(argmax), proba });
    const html = renderHtmlReport({ title: "three classes", report, rows: { labels, yTrue, proba, texts: yTrue.map((_, i) => `text <b>${i}</b> & more`) }, embedder: { id: "local:hash-v2@512", dimensions: 512 } });
    const file = join(tmp.dir, "three.html");
    writeFileSync(file, html);
    const page = await openReport(file, "report-3-classes.png", { confusion: "g.cell", roc: "path.curve", reliability: "circle.point", histogram: "path.series" });
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(file).href]);
    expect(page.charts.confusion.count).toBe(9);
    expect(page.charts.roc.count).toBe(3);
    expect(page.charts.histogram.count).toBe(3);
    // Texts are shown as text, never as markup.
    expect(html).toContain("text &lt;b&gt;");
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  }, 120_000);
});
