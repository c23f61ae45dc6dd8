import { readdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeCollectionBehaviour } from "./collection-behaviour.js";

describeCollectionBehaviour({
  name: "memory",
  location: (dir) => dir,
  damages: [
    { name: "vector file truncated", damage: (dir) => truncateSync(join(dir, readdirSync(dir).find((f) => f.endsWith(".f32"))!), 100) },
    { name: "manifest not JSON", damage: (dir) => writeFileSync(join(dir, "manifest.json"), "{ not json") },
  ],
});
