import { readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeCollectionBehaviour } from "./collection-behaviour.js";

/** Files of the Lance table under `dir/rows.lance/<sub>`. */
const files = (dir: string, sub: string) => readdirSync(join(dir, "rows.lance", sub)).map((f) => join(dir, "rows.lance", sub, f));

describeCollectionBehaviour({
  name: "lance",
  location: (dir) => `lance:${dir}`,
  damages: [
    { name: "data file truncated", damage: (dir) => files(dir, "data").forEach((f) => truncateSync(f, 64)) },
    { name: "data files deleted", damage: (dir) => files(dir, "data").forEach((f) => rmSync(f)) },
    { name: "table versions deleted", damage: (dir) => rmSync(join(dir, "rows.lance", "_versions"), { recursive: true }) },
    { name: "sentivec-lance.json not JSON", damage: (dir) => writeFileSync(join(dir, "sentivec-lance.json"), "{ not json") },
    {
      name: "an unknown label scheme in sentivec-lance.json",
      damage: (dir) => {
        const file = join(dir, "sentivec-lance.json");
        writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), labelSchemes: ["thumbs"] }));
      },
    },
  ],
});
