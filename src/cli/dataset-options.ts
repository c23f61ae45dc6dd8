import { type Command, InvalidArgumentError, Option } from "commander";
import { TEXT_ENCODINGS, type TextEncoding, parseTextEncoding } from "../data/decode-text.js";
import type { LoadDatasetOptions } from "../data/load-dataset.js";
import type { LabelScheme } from "../data/parse-label.js";
import { CLI_LABEL_WORDING, type LabelCliOptions, addLabelOptions, labelSchemeFrom } from "./label-options.js";

export interface DatasetCliOptions extends LabelCliOptions {
  format?: LoadDatasetOptions["format"];
  textField?: string;
  labelField?: string;
  vectorField?: string;
  skipBadRows?: boolean;
  dedupe?: boolean;
  encoding?: TextEncoding;
}

/** The options every command that reads a dataset file accepts. */
export function addDatasetOptions(cmd: Command): Command {
  addLabelOptions(cmd);
  return cmd
    .addOption(new Option("--format <format>", "file format (default: from the extension)").choices(["csv", "tsv", "lines", "json", "jsonl"]))
    .option("--text-field <name>", "column holding the text (default: text, sentence, review, content or combined)")
    .option("--label-field <name>", "column holding the label (default: label, score, sentiment, stars or rating)")
    .option("--vector-field <name>", "column holding a precomputed embedding (default: embedding, if present)")
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

/** `fallbackScheme`: how to read labels when no label option is given (evaluate: the model's own). */
export function datasetOptionsFrom(o: DatasetCliOptions, requireLabels = true, fallbackScheme: LabelScheme = "binary"): LoadDatasetOptions {
  return {
    format: o.format,
    textField: o.textField,
    labelField: o.labelField,
    vectorField: o.vectorField,
    labels: labelSchemeFrom(o) ?? fallbackScheme,
    labelWording: CLI_LABEL_WORDING,
    skipBadRows: o.skipBadRows === true,
    dedupe: o.dedupe !== false,
    requireLabels,
    encoding: o.encoding,
  };
}
