import { Readable } from "node:stream";
import { createInterface } from "node:readline";

/**
 * The lines of a byte stream (a fetch Response body), one at a time: only the current line is held
 * in memory, never the whole file, so a 200 MB batch output file costs one line's worth. A trailing
 * empty line is not yielded; "\r\n" endings are accepted.
 */
export async function* readLines(body: ReadableStream<Uint8Array> | NodeJS.ReadableStream): AsyncGenerator<string> {
  const stream = body instanceof Readable ? body : "getReader" in body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>) : (body as Readable);
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    stream.destroy();
  }
}
