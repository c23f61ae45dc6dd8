import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import type { HtmlReportInput } from "../report/html-report.js";
import { writeFileAtomicSync } from "../util/atomic-file.js";
import { fileSystemError } from "../util/fs-error.js";
import { checkOutputFile } from "../util/output-path.js";

export interface ReportCliOptions {
  report?: string;
}

/** --report FILE.html, for the commands that evaluate (train, evaluate). */
export function addReportOption(cmd: Command): Command {
  return cmd.option("--report <file.html>", "also write a self-contained HTML report: metrics, baselines, charts (confusion matrix, ROC, reliability, probability histograms), the most confident mistakes, provenance");
}

/** Before the work: a --report path that cannot be written fails now, not after training. */
export function checkReportPath(o: ReportCliOptions): void {
  if (o.report !== undefined) checkOutputFile(o.report, "HTML report", "--report");
}

/** Renders and saves the report atomically (a kill leaves the previous file or none, never half of one). */
export async function writeReport(path: string, input: HtmlReportInput): Promise<void> {
  // The renderer is loaded only when a report is asked for.
  const { renderHtmlReport } = await import("../report/html-report.js");
  const html = renderHtmlReport(input);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomicSync(path, html, "report");
  } catch (cause) {
    throw fileSystemError(cause, { action: "write the HTML report", path });
  }
}
