import type * as Arrow from "apache-arrow";
import type * as LanceDb from "@lancedb/lancedb";
import { StoreError } from "../store-error.js";
import { requireModule } from "../../util/module-require.js";

export type { Arrow, LanceDb };

export interface LanceModules {
  lancedb: typeof LanceDb;
  arrow: typeof Arrow;
}

let loaded: LanceModules | undefined;

/**
 * @lancedb/lancedb (155 MB of native code) and apache-arrow, loaded the first time a Lance collection
 * is opened, so that no other command pays for them (they are optional dependencies).
 *
 * Both are loaded through require(), not import(): @lancedb/lancedb is CommonJS and checks tables with
 * `instanceof` against the apache-arrow it require()s. An `import "apache-arrow"` would load the
 * package's ESM build, a second copy whose Table is not that class, and LanceDB would silently write
 * zero rows from it.
 */
export function lanceModules(): LanceModules {
  if (loaded) return loaded;
  try {
    loaded = { lancedb: requireModule<typeof LanceDb>("@lancedb/lancedb"), arrow: requireModule<typeof Arrow>("apache-arrow") };
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new StoreError("STORE_LANCE_MISSING", `A lance: store needs the optional packages @lancedb/lancedb and apache-arrow, and they could not be loaded (${code === "MODULE_NOT_FOUND" ? "not installed" : firstLine(cause)}).`, {
      hint: "Install them (npm install @lancedb/lancedb@0.31.0 apache-arrow@18.1.0), or use a store folder without the lance: prefix.",
      cause,
    });
  }
  return loaded;
}

/**
 * The gist of a LanceDB error in one line: its messages carry "Caused by" chains, Rust source locations
 * and wrapper prefixes ("lance error: LanceError(IO): Generic N/A error: Cloned error: ..."), none of which
 * tells a user anything.
 */
export function firstLine(error: unknown): string {
  let message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  message = message.split(/\s+Caused by:/)[0];
  message = message.replace(/,\s*\/[^,]*?\.rs:\d+:\d+/g, "");
  let before: string;
  do {
    before = message;
    message = message.replace(/^\s*(Error: |Failed to get next batch from stream: |lance error: |LanceError\(\w+\): |Generic [\w/]+ error: |Cloned error: |Invalid user input: )/i, "");
  } while (message !== before);
  message = message.trim().replace(/[.\s]+$/, "");
  return message.length > 240 ? `${message.slice(0, 237)}...` : message;
}
