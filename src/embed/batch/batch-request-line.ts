/** What a batch job sends for each request line (recorded in the job, so a resumed job sends the same). */
export interface BatchRequestShape {
  model: string;
  /** `dimensions` to send, or undefined for models that refuse the field (ada-002). */
  dimensions: number | undefined;
}

/**
 * One line of a batch input file (BatchRequestInput in OpenAI's OpenAPI description): a POST to
 * /v1/embeddings with our custom_id. Vectors come back base64-encoded: a quarter of the JSON float
 * size, which matters in output files of up to tens of gigabytes.
 */
export function batchRequestLine(customId: string, texts: readonly string[], shape: BatchRequestShape): string {
  const body: Record<string, unknown> = { model: shape.model, input: texts, encoding_format: "base64" };
  if (shape.dimensions !== undefined) body.dimensions = shape.dimensions;
  return `${JSON.stringify({ custom_id: customId, method: "POST", url: "/v1/embeddings", body })}\n`;
}
