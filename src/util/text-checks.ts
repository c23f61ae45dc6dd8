/**
 * Small text predicates shared by the loader, the model and the store, so "blank" means the same
 * everywhere: a blank text is never embedded and never given a label.
 */

/** Whitespace, control characters and invisible (default-ignorable) characters: nothing to read. */
const INVISIBLE_OR_SPACE = /^[\s\p{Cc}\p{Default_Ignorable_Code_Point}]*$/u;

/** True when the text has no visible character (empty, spaces, tabs, zero-width spaces, control codes). */
export function isBlankText(text: string): boolean {
  return INVISIBLE_OR_SPACE.test(text);
}
