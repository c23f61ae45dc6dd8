import { OptionsError } from "../errors.js";
import type { EmbedOptions, Embedder, EmbedderLimits } from "./embedder.js";
import { embedIntoSlab } from "./embed-into-slab.js";
import { GLOVE_LEX_V1, gloveLexDimensions, writeGloveLexFeatures } from "./glove-lex-features.js";
import { type GloveLexicon, loadGloveLexicon } from "./glove-lexicon.js";
import { type GloveTable, loadGloveTable } from "./glove-table.js";
import { HASH_EMBEDDER_LIMITS } from "./hash-embedder.js";

export interface GloveLexEmbedderOptions {
  /**
   * Which output version (default "glove-lex-v2"); a new one is added whenever output would change, and
   * the old ones stay so that the bundles made with them keep loading and predicting as before.
   */
  version?: GloveLexEmbedderVersion;
  /** Folder holding the word table (default: the one shipped in the package's datasets/glove-lex). */
  tableDir?: string;
  /** Request sizes for the fetcher. Default: as the hash embedder (512 texts, no token budget). */
  limits?: EmbedderLimits;
}

export const GLOVE_LEX_EMBEDDER_VERSIONS = ["glove-lex-v1", "glove-lex-v2"] as const;
export type GloveLexEmbedderVersion = (typeof GLOVE_LEX_EMBEDDER_VERSIONS)[number];
export const DEFAULT_GLOVE_LEX_VERSION: GloveLexEmbedderVersion = "glove-lex-v2";
/**
 * Vector size per version. The table's vectors are 100-d; v1 adds 8 polarity, 16 lexicon and 1 coverage
 * feature (125); v2 reads its polarity from AFINN-165 and VADER (glove-lexicon.ts) and adds 8 VADER features (133).
 */
export const GLOVE_LEX_VERSION_DIMENSIONS: Readonly<Record<GloveLexEmbedderVersion, number>> = {
  "glove-lex-v1": gloveLexDimensions(100),
  "glove-lex-v2": gloveLexDimensions(100, true),
};
/** The default version's size. */
export const GLOVE_LEX_DIMENSIONS = GLOVE_LEX_VERSION_DIMENSIONS[DEFAULT_GLOVE_LEX_VERSION];

/**
 * The semantic offline embedder, sentivec's default: pretrained GloVe word vectors (a 50k-word int8
 * table shipped with the package) so that words the training set never showed still carry meaning,
 * plus sentiment polarity features. No network; the same text gives the same vector everywhere.
 * See glove-lex-features.ts for the layout. The table is read on the first embed() call, not at
 * construction, so commands that only name this embedder (a bundle's id check) do not pay for it.
 */
export class GloveLexEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly version: GloveLexEmbedderVersion;
  readonly limits: EmbedderLimits;
  private readonly tableDir?: string;
  private table?: GloveTable;
  private lexicon?: GloveLexicon;

  constructor(options: GloveLexEmbedderOptions = {}) {
    const version = options.version ?? DEFAULT_GLOVE_LEX_VERSION;
    if (!(GLOVE_LEX_EMBEDDER_VERSIONS as readonly string[]).includes(version)) {
      throw new OptionsError("EMBEDDER_VERSION", `Unknown glove-lex embedder version "${String(version)}".`, {
        hint: `Use one of: ${GLOVE_LEX_EMBEDDER_VERSIONS.join(", ")}.`,
      });
    }
    this.version = version;
    this.dimensions = GLOVE_LEX_VERSION_DIMENSIONS[version];
    this.id = `local:${version}@${this.dimensions}`;
    this.limits = { ...HASH_EMBEDDER_LIMITS, ...options.limits };
    this.tableDir = options.tableDir;
  }

  /** The batch's vectors are views into one buffer (see embedIntoSlab). */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    options.signal?.throwIfAborted();
    return embedIntoSlab(texts, this.dimensions, (t, out) => this.embedInto(t, out));
  }

  /** Synchronous single-text embedding. */
  embedOne(text: string): Float32Array {
    return this.embedInto(text, new Float32Array(this.dimensions));
  }

  private embedInto(text: string, out: Float32Array): Float32Array {
    this.table ??= this.loadTable();
    if (this.version === "glove-lex-v2") this.lexicon ??= loadGloveLexicon(this.table.rows, this.tableDir);
    return writeGloveLexFeatures(text, this.table, out, GLOVE_LEX_V1, this.lexicon);
  }

  private loadTable(): GloveTable {
    const table = loadGloveTable(this.tableDir);
    if (gloveLexDimensions(table.dims, this.version === "glove-lex-v2") !== this.dimensions) {
      throw new OptionsError("GLOVE_TABLE_FORMAT", `The word table has ${table.dims}-d vectors; ${this.id} needs 100.`, { hint: "Reinstall sentivec." });
    }
    return table;
  }
}
