import type Database from "better-sqlite3";
import { requireModule } from "./module-require.js";

/** better-sqlite3's Database class, loaded at the first cache or folder lock opened (not at start-up). */
export function loadSqlite(): typeof Database {
  return requireModule<typeof Database>("better-sqlite3");
}
