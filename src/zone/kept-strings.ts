/**
 * Strings the zone keeps, detached from the file text. Tokens are cut from the buffered text;
 * V8 represents such cuts as views of the text (sliced strings) and joined names as trees (cons
 * strings), so a kept token could keep a whole 64 KB piece of the file alive, and a joined name
 * would cost two or three objects. These helpers return strings that hold no such link.
 */

/**
 * A copy of a token that holds no link to the text it was cut from (V8 keeps cuts of 13
 * characters or more as views of the whole text). Joining two halves and reading a character
 * flattens the result into a fresh string; shorter cuts are copies already.
 */
export function copy(s: string): string {
  if (s.length < 13) return s
  const half = s.length >> 1
  return flatten(s.slice(0, half) + s.slice(half))
}

const RECENT_LIMIT = 4096
let recent = new Map<string, string>()

/**
 * A string built by concatenation (a name made absolute, packed TXT rdata), flattened and
 * shared with an equal one seen recently: rdata repeats (MX and NS targets, SPF policies) are
 * then held once. (The Map lookup alone would not flatten it: V8 hashes trees in place.)
 */
export function share(s: string): string {
  flatten(s)
  const seen = recent.get(s)
  if (seen !== undefined) return seen
  if (recent.size >= RECENT_LIMIT) recent = new Map()
  recent.set(s, s)
  return s
}

let _sink = 0

/**
 * Flattens a concatenated string in place (reading a character does); the GC then drops the
 * concatenation nodes and the pieces, which may be slices of the file text. Returns `s`.
 */
export function flatten(s: string): string {
  // Written to a module variable so the read cannot be optimised away.
  _sink ^= s.charCodeAt(0)
  return s
}
