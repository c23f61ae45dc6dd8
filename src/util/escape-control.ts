/**
 * Text from datasets and arguments is echoed on the terminal (predictions, search hits, error lines).
 * Raw control characters there can recolour or clear the screen, move the cursor, set the window title
 * (ANSI/OSC escapes), reorder what is shown (bidi overrides) or break one result into several lines.
 * This makes them visible instead: "\x1b[31m", "\n", "\u202e". JSON output does not use it; it stays exact.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
