import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { OpenAITestServer } from "./openai-test-server.js";
import type { CliResult } from "./run-cli.js";
import { runCliAsync } from "./run-cli-async.js";
import { DATASETS } from "./temp-dir.js";

/** The UCI sentiment files the store CLI tests add to their stores. */
export const UCI = join(DATASETS, "uci-sentiment-labelled-sentences");
export const AMAZON = join(UCI, "amazon_cells_labelled.txt");
export const YELP = join(UCI, "yelp_labelled.txt");

/**
 * An OpenAI test server for the test file (it counts embedding requests, so "nothing was embedded" is
 * measured) and the CLI run with its key.
 */
export function useStoreCli(apiKey: string): { server: () => OpenAITestServer; cli: (args: string[]) => Promise<CliResult> } {
  let server: OpenAITestServer | undefined;
  beforeAll(async () => {
    server = await OpenAITestServer.start({ apiKey });
  });
  afterAll(async () => server?.close());
  return {
    server: () => server!,
    cli: (args) => runCliAsync(args, { env: { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: "" } }),
  };
}

/** A successful run's stdout as JSON (the assertion shows stderr when it failed). */
export function jsonOf(r: CliResult): any {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}
