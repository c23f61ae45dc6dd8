/**
 * JSON.parse keeps the last of two equal keys ({"text": "a", "text": "b"} reads as "b"): the JSON twin
 * of a CSV header naming a column twice. This finds the first such key in text that is already known
 * to be valid JSON, in one linear pass (it tracks only strings and nesting, no values).
 */
export interface DuplicateKey {
  key: string;
  /** 0-based offset of the second occurrence's opening quote. */
  offset: number;
}

export function findDuplicateKey(json: string): DuplicateKey | undefined {
  // One entry per open container: a key set for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack.at(-1) instanceof Set;
    } else if (c === 0x22 /* " */) {
      const start = i;
      let end = i + 1;
      while (json.charCodeAt(end) !== 0x22) end += json.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      const keys = stack.at(-1);
      if (expectKey && keys) {
        // Decode escapes so "te\u0078t" and "text" count as the same key, as JSON.parse sees them.
        const key = JSON.parse(json.slice(start, end + 1)) as string;
        if (keys.has(key)) return { key, offset: start };
        keys.add(key);
        expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}
