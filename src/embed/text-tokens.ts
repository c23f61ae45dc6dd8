/**
 * Tokenisation for the offline embedder. Kept deliberately simple and fully deterministic: the same
 * string gives the same tokens on every machine (Unicode NFKC + lower-casing, no locale rules).
 * Changing anything here changes the offline embedder's output, so bump its version when you do.
 */
export interface Token {
  text: string;
  /** "word", or "punct" for sentence punctuation that ends a negation scope. */
  kind: "word" | "punct";
}

const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*|n['’]t|[.,!?;:]/gu;
const HTML_TAG = /<[^>]{0,40}>/g;

/**
 * Invisible characters that split or disguise words without changing how they read: zero-width spaces and
 * joiners, soft hyphens, the BOM, bidi marks, variation selectors (Unicode's Default_Ignorable_Code_Point).
 * "gr\u200Beat" must count as "great", not as "gr" + "eat".
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
/** Terminal escape sequences (colours, cursor moves, OSC titles/links) and other control characters. */
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Input normalisation before tokenising (hash-v2 and glove-lex; hash-v1 predates it): escape sequences and control characters become spaces
 * (so "\u001b[31mgreat" is the word "great", not "31mgreat"), invisible characters are removed, then NFKC
 * (which the tokeniser also applies) folds compatibility forms such as full-width letters and ligatures.
 */
export function normalizeInput(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, " ").replace(CONTROL, " ").replace(INVISIBLE, "").normalize("NFKC");
}

export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(HTML_TAG, " ").replace(/’/g, "'");
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of normalizeText(text).matchAll(TOKEN)) {
    const t = m[0];
    const kind = /^[.,!?;:]$/.test(t) ? "punct" : "word";
    // Treebank-style text splits "doesn't" into "does n't": glue it back so both spellings agree.
    if (t === "n't" && out.length > 0 && out[out.length - 1].kind === "word") {
      out[out.length - 1] = { text: out[out.length - 1].text + "n't", kind: "word" };
      continue;
    }
    out.push({ text: t, kind });
  }
  return out;
}

const NEGATORS = new Set([
  "not", "no", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor", "without",
  "hardly", "barely", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "werent",
  "wont", "wouldnt", "shouldnt", "couldnt", "aint", "havent", "hasnt", "hadnt", "arent", "n't",
]);

/** True for words that flip the polarity of what follows ("not", "never", "didn't", "dont"...). */
export function isNegator(word: string): boolean {
  return NEGATORS.has(word) || word.endsWith("n't");
}

/** Words after which the earlier clause matters less ("good screen but awful battery"). */
export function isContrast(word: string): boolean {
  return word === "but" || word === "however" || word === "although" || word === "though" || word === "yet";
}

/** How many words a negation reaches when no punctuation ends it first. */
export const NEGATION_SCOPE = 3;

/**
 * Marks each word token that sits inside a negation scope: from a negator up to NEGATION_SCOPE words,
 * stopped early by punctuation or a contrast word.
 */
export function negationMask(tokens: Token[]): boolean[] {
  const mask = new Array<boolean>(tokens.length).fill(false);
  let remaining = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "punct" || isContrast(t.text)) {
      remaining = 0;
      continue;
    }
    if (isNegator(t.text)) {
      remaining = NEGATION_SCOPE;
      continue;
    }
    if (remaining > 0) {
      mask[i] = true;
      remaining--;
    }
  }
  return mask;
}
