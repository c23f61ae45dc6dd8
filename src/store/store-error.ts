import { SentivecError } from "../errors.js";

/**
 * A vector store was misused (wrong dimensions or embedder, duplicate or unknown id) or a saved store
 * is missing, truncated or corrupt. Lives here rather than in errors.ts only so this module could land
 * without touching a file other work was editing; it can move there unchanged.
 */
export class StoreError extends SentivecError {}
