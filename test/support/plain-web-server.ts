import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A web server that is not an OpenAI API: it answers every request with the HTML 404 page an
 * Express app sends ("Cannot POST /v1/embeddings"), as a user's mistyped --base-url would meet.
 */
export async function startPlainWebServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${req.method} ${req.url}</pre>\n</body>\n</html>\n`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
