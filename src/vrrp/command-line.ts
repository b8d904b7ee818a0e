/**
 * keepalived's command lines (`script`, `notify_*`, `misc_path`) split into words as keepalived
 * splits them: on whitespace, with '…' and "…" quoting, no shell (no variables, no escapes).
 * One splitter for the config mapping and the notify hooks.
 */

/** The words of `line`, and the quote left open at its end, if any. */
export function splitWords(line: string): { words: string[]; unclosed: string | undefined } {
  const words: string[] = []
  let word: string | undefined
  let quote: string | undefined
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      word ??= ''
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else word = (word ?? '') + ch
  }
  if (word !== undefined) words.push(word)
  return { words, unclosed: quote }
}
