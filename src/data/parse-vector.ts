/**
 * Reads a precomputed embedding: a JSON array of numbers, or the same written as a string
 * ("[0.1, -0.2, ...]", as pandas writes lists into CSV). Returns the vector, or the reason it is bad.
 * "NaN" and "Infinity" are recognised so the message can name them rather than say "not a number".
 */
export function parseVector(raw: unknown): { vector: Float32Array } | { problem: string } {
  let values: unknown[];
  if (Array.isArray(raw)) values = raw;
  else if (typeof raw === "string") {
    const body = raw.trim().replace(/^\[/, "").replace(/\]$/, "").trim();
    if (body === "") return { problem: "the vector is empty" };
    values = body.split(",").map((s) => {
      const t = s.trim();
      return t === "" ? t : Number(t);
    });
  } else return { problem: `expected an array of numbers but found ${raw === null ? "null" : typeof raw}` };
  if (values.length === 0) return { problem: "the vector is empty" };
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      return { problem: `value ${i} is ${typeof v === "number" ? String(v) : JSON.stringify(v)}; vectors must hold finite numbers only` };
    }
    out[i] = v;
  }
  return { vector: out };
}
