/**
 * Presentation-format scalars of master-file tokens: unsigned integers, BIND's TTL syntax, and
 * character-string escapes. Tokens are byte strings (one char per byte, see the lexer).
 */

/** A decimal integer without sign, or `undefined`. */
export function parseUint(t: string): number | undefined {
  const n = t.length
  if (n === 0 || n > 10) return undefined
  let v = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i) - 48
    if (c < 0 || c > 9) return undefined
    v = v * 10 + c
  }
  return v
}

/**
 * A TTL in BIND's syntax: seconds, or digits with units `w d h m s` in any case and order
 * (`1W2d3h4m5s`); trailing digits without a unit are refused as BIND does (`1h30` is not a
 * TTL, `1h30s` is). `undefined` when malformed or above 2^32-1.
 */
export function parseTtl(t: string): number | undefined {
  const n = t.length
  if (n === 0) return undefined
  let total = 0
  let cur = 0
  let digits = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      cur = cur * 10 + (c - 48)
      digits++
      if (digits > 10) return undefined
      continue
    }
    if (digits === 0) return undefined
    let mult: number
    switch (c | 0x20) {
      case 0x77: mult = 604800; break
      case 0x64: mult = 86400; break
      case 0x68: mult = 3600; break
      case 0x6d: mult = 60; break
      case 0x73: mult = 1; break
      default: return undefined
    }
    total += cur * mult
    cur = 0
    digits = 0
  }
  // BIND: a bare number is seconds only when it is the whole TTL (`1h30` is not a TTL).
  if (digits > 0 && n !== digits) return undefined
  total += cur
  return total > 0xffffffff ? undefined : total
}

/** Decodes `\X` and `\DDD` escapes of a character-string into a byte string; `undefined` if malformed. */
export function unescapeText(t: string): string | undefined {
  if (t.indexOf('\\') < 0) return t
  let out = ''
  const n = t.length
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c !== 0x5c) {
      out += t.charAt(i)
      continue
    }
    if (i + 1 >= n) return undefined
    const d = t.charCodeAt(i + 1)
    if (d >= 48 && d <= 57) {
      const s = t.slice(i + 1, i + 4)
      if (!/^[0-9]{3}$/.test(s) || Number(s) > 255) return undefined
      out += String.fromCharCode(Number(s))
      i += 3
    } else {
      out += t.charAt(i + 1)
      i++
    }
  }
  return out
}
