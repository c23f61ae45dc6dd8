import { describe, expect, it } from "vitest";
import { escapeControl } from "../../src/util/escape-control.js";
import { isBlankText } from "../../src/util/text-checks.js";

describe("escapeControl", () => {
  it("makes terminal escapes, newlines, C1 codes and bidi overrides visible and inert", () => {
    expect(escapeControl("\u001b[2J\u001b]0;pwned\u0007great")).toBe("\\x1b[2J\\x1b]0;pwned\\x07great");
    expect(escapeControl("line1\nline2\r\tx")).toBe("line1\\nline2\\r\\tx");
    expect(escapeControl("a\u009bb\u202eevil\u2066")).toBe("a\\x9bb\\u202eevil\\u2066");
  });

  it("leaves ordinary text, accents and emoji alone", () => {
    expect(escapeControl("Café “quoted” 😀 日本語")).toBe("Café “quoted” 😀 日本語");
  });
});

describe("isBlankText", () => {
  it("is true for empty, whitespace, control-only and invisible-only texts", () => {
    for (const t of ["", " ", "\t\n", "\u00a0\u3000", "\u200b\u200d\ufeff", "\u0007"]) expect(isBlankText(t), JSON.stringify(t)).toBe(true);
  });

  it("is false as soon as one visible character is there", () => {
    for (const t of ["a", " ok ", "\u200bx", "!", "😀"]) expect(isBlankText(t), t).toBe(false);
  });
});
