// The resolve hook of hook.mjs: appends each resolved ES module URL to $SENTIVEC_MODULE_LOG.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.SENTIVEC_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
