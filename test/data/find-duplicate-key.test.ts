import { describe, expect, it } from "vitest";
import { findDuplicateKey } from "../../src/data/find-duplicate-key.js";

describe("findDuplicateKey", () => {
  it("finds a repeated key and where it is", () => {
    const json = '{"text": "a", "label": 1, "text": "b"}';
    expect(findDuplicateKey(json)).toEqual({ key: "text", offset: json.lastIndexOf('"text"') });
  });

  it("sees escaped spellings of the same key, as JSON.parse does", () => {
    expect(findDuplicateKey('{"text": 1, "te\\u0078t": 2}')?.key).toBe("text");
  });

  it("is not fooled by keys in values, nested objects, arrays or escaped quotes", () => {
    expect(findDuplicateKey('{"text": "text", "meta": {"text": 1}, "label": "a\\"text\\"", "v": [{"k": 1}, {"k": 2}]}')).toBeUndefined();
    expect(findDuplicateKey('[{"text": "a"}, {"text": "b"}]')).toBeUndefined();
    expect(findDuplicateKey('[{"text": "a", "x": {"y": 1, "y": 2}}]')?.key).toBe("y");
  });
});
