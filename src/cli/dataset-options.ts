import { type Command, InvalidArgumentError, Option } from "commander";
import { TEXT_ENCODINGS, type TextEncoding, parseTextEncoding } from "../data/decode-text.js";
import type { LoadDatasetOptions } from "../data/load-dataset.js";

export interface DatasetCliOptions {
  format?: LoadDatasetOptions["format"];
  textField?: string;
  labelField?: string;
  vectorField?: string;
  stars?: boolean;
  skipBadRows?: boolean;
  dedupe?: boolean;
  encoding?: TextEncoding;
}

/** The options every command that reads a dataset file accepts. */
export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--format <format>", "file format (default: from the extension)").choices(["csv", "tsv", "lines", "json", "jsonl"]))
    .option("--text-field <name>", "column holding the text (default: text, sentence, review, content or combined)")
    .option("--label-field <name>", "column holding the label (default: label, score, sentiment, stars or rating)")
    .option("--vector-field <name>", "column holding a precomputed embedding (default: embedding, if present)")
    .option("--stars", "labels are 1–5 star ratings: 1–2 negative, 4–5 positive, 3 dropped")
    .option("--skip-bad-rows", "skip and count malformed rows instead of stopping at the first")
    .option("--no-dedupe", "keep exact-duplicate texts (they leak between train and test)")
    .option(
      "--encoding <name>",
      "text encoding of the files: auto (a byte-order mark decides, else UTF-8 required), utf8, latin1 (read as Windows-1252), utf16le, utf16be",
      parseEncoding,
    );
}

function parseEncoding(value: string): TextEncoding {
  const e = parseTextEncoding(value);
  if (e === undefined) throw new InvalidArgumentError(`--encoding must be one of ${TEXT_ENCODINGS.join(", ")}.`);
  return e;
}

export function datasetOptionsFrom(o: DatasetCliOptions, requireLabels = true): LoadDatasetOptions {
  return {
    format: o.format,
    textField: o.textField,
    labelField: o.labelField,
    vectorField: o.vectorField,
    labels: o.stars ? "stars" : "binary",
    skipBadRows: o.skipBadRows === true,
    dedupe: o.dedupe !== false,
    requireLabels,
    encoding: o.encoding,
  };
}
