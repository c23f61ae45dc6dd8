import { type Command, InvalidArgumentError, Option } from "commander";
import { type LabelScheme, type LabelWording, parseLabelMap } from "../data/parse-label.js";
import { OptionsError } from "../errors.js";

export interface LabelCliOptions {
  /** true for a bare --stars, or "2", "3", "5". */
  stars?: boolean | string;
  /** "binary" or "any"; `store add` also has --no-labels, which shares the name (false then, true by default). */
  labels?: string | boolean;
  labelMap?: LabelScheme;
}

/** The option names hints suggest on the command line (the library's own words name its options). */
export const CLI_LABEL_WORDING: LabelWording = {
  stars: "--stars",
  stars3: "--stars 3",
  stars5: "--stars 5",
  any: "--labels any",
  map: '--label-map "1,2=negative;3=neutral;4,5=positive"',
};

const STAR_CLASSES = ["2", "3", "5"];

/** How the label column is read: --stars [2|3|5], --labels binary|any, --label-map SPEC (one of them). */
export function addLabelOptions(cmd: Command): Command {
  cmd
    .option("--stars [classes]", "labels are 1–5 star ratings: 2 classes (the default: 1–2 negative, 4–5 positive, 3 dropped), 3 (3 is neutral) or 5 (one class per star)", parseStarClasses)
    .addOption(new Option("--labels <scheme>", "how labels are read: binary (1/0, pos/neg, positive/negative; the default) or any (every distinct value is a class)").choices(["binary", "any"]))
    .option("--label-map <spec>", 'map label values to classes, e.g. "1,2=negative;3=neutral;4,5=positive" ("3=" drops rows labelled 3)', (v: string) => {
      try {
        return parseLabelMap(v, "--label-map");
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message.replace(/^--label-map:? ?/, ""));
      }
    });
  // "--stars data.csv" has always meant binary stars on data.csv: an optional value must not swallow
  // the file name, so a bare --stars before anything but 2, 3 or 5 is read as --stars=2.
  const parseOptions = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv: string[]) => parseOptions(bareStars(argv));
  return cmd;
}

/** argv with each bare `--stars` that is not followed by a class count written `--stars=2`. */
export function bareStars(argv: string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === "--") break;
    // A number is meant as a class count (and a wrong one is refused); anything else is an operand.
    if (out[i] === "--stars" && !/^\d+$/.test(out[i + 1] ?? "")) out[i] = "--stars=2";
  }
  return out;
}

function parseStarClasses(value: string): string {
  if (!STAR_CLASSES.includes(value.trim())) throw new InvalidArgumentError("--stars takes 2, 3 or 5 classes (or nothing, for 2).");
  return value.trim();
}

/** The scheme the options name, or undefined when none does (train: binary; evaluate: the model's own). */
export function labelSchemeFrom(o: LabelCliOptions): LabelScheme | undefined {
  const given: [string, LabelScheme][] = [];
  if (o.stars !== undefined && o.stars !== false) {
    const classes = o.stars === true ? "2" : o.stars;
    given.push([`--stars${classes === "2" ? "" : ` ${classes}`}`, classes === "3" ? "stars3" : classes === "5" ? "stars5" : "stars"]);
  }
  if (typeof o.labels === "string") given.push([`--labels ${o.labels}`, o.labels as LabelScheme]);
  if (o.labelMap !== undefined) given.push(["--label-map", o.labelMap]);
  if (given.length > 1) {
    throw new OptionsError("LABEL_OPTIONS", `${given.map(([n]) => n).join(" and ")} both say how to read labels; give one.`);
  }
  return given[0]?.[1];
}
