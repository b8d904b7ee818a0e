/**
 * Domain names in presentation form, as the zone model keeps them: absolute with a trailing dot,
 * original case, and escapes normalised by the parser (`\.` and `\\` inside labels, `\DDD` for
 * bytes outside printable ASCII and for characters that are special in master files).
 */

/**
 * The lower-case absolute form of `name`, used as the key everywhere names are compared.
 * Only ASCII letters are folded (RFC 4343); a relative name gets its trailing dot added.
 *
 * @example canonicalName('WWW.Example.COM') // 'www.example.com.'
 */
export function canonicalName(name: string): string {
  const lower = hasUpper(name) ? name.toLowerCase() : name
  return isAbsolute(lower) ? lower : lower + '.'
}

/** True when `name` ends with an unescaped dot (the root `.` included). */
export function isAbsolute(name: string): boolean {
  const n = name.length
  if (n === 0 || name.charCodeAt(n - 1) !== 0x2e) return false
  let backslashes = 0
  for (let i = n - 2; i >= 0 && name.charCodeAt(i) === 0x5c; i--) backslashes++
  return backslashes % 2 === 0
}

/** The parent of an absolute name (`a.b.` → `b.`); the root's parent is `undefined`. */
export function parentName(name: string): string | undefined {
  if (name === '.') return undefined
  const n = name.length
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x2e) return i + 1 >= n ? '.' : name.slice(i + 1)
  }
  return '.'
}

/** Number of labels of an absolute name, the root label not counted (`a.b.` → 2, `.` → 0). */
export function labelCount(name: string): number {
  if (name === '.') return 0
  let count = 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x2e) count++
  }
  return count
}

/** True when `name` is `ancestor` or below it (case-insensitive, both absolute). */
export function isSubdomain(name: string, ancestor: string): boolean {
  return isCanonicalSubdomain(canonicalName(name), canonicalName(ancestor))
}

/**
 * {@link isSubdomain} for names already in {@link canonicalName} form: the hot-path form for
 * callers that keep their names canonical (the authority's lookups).
 */
export function isCanonicalSubdomain(n: string, a: string): boolean {
  if (a === '.') return true
  if (n === a) return true
  if (!n.endsWith(a) || n.length <= a.length) return false
  // The character before the suffix must be an unescaped label separator.
  const cut = n.length - a.length - 1
  if (n.charCodeAt(cut) !== 0x2e) return false
  let backslashes = 0
  for (let i = cut - 1; i >= 0 && n.charCodeAt(i) === 0x5c; i--) backslashes++
  return backslashes % 2 === 0
}

/**
 * The labels of an absolute name as byte strings (one char per byte, escapes decoded),
 * leftmost first, without the root label.
 */
export function nameLabels(name: string): string[] {
  const labels: string[] = []
  if (name === '.') return labels
  let label = ''
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) {
      const d = name.charCodeAt(i + 1)
      if (isDigit(d) && isDigit(name.charCodeAt(i + 2)) && isDigit(name.charCodeAt(i + 3))) {
        label += String.fromCharCode((d - 48) * 100 + (name.charCodeAt(i + 2) - 48) * 10 + name.charCodeAt(i + 3) - 48)
        i += 3
      } else {
        label += name.charAt(i + 1)
        i++
      }
    } else if (c === 0x2e) {
      labels.push(label)
      label = ''
    } else {
      label += name.charAt(i)
    }
  }
  if (label !== '') labels.push(label)
  return labels
}

/**
 * A string whose ordinary comparison (`<`) gives the canonical DNS name order of RFC 4034 §6.1:
 * labels compared right to left as lower-cased bytes, a label sorting before any longer label
 * it is a prefix of.
 */
export function canonicalSortKey(name: string): string {
  const labels = nameLabels(name)
  let key = ''
  for (let i = labels.length - 1; i >= 0; i--) {
    const label = labels[i] as string
    for (let j = 0; j < label.length; j++) {
      let c = label.charCodeAt(j)
      if (c >= 0x41 && c <= 0x5a) c += 32
      key += String.fromCharCode(c + 1)
    }
    key += '\u0000'
  }
  return key
}

/** Compares two absolute names in canonical DNS order (RFC 4034 §6.1): negative, 0 or positive. */
export function compareNames(a: string, b: string): number {
  const ka = canonicalSortKey(a)
  const kb = canonicalSortKey(b)
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

/**
 * The presentation form of one label given as a byte string: letters, digits, `-`, `_`, `*`
 * and other printable ASCII stay, `.` `\` `"` `(` `)` `;` `@` `$` and space are backslash-escaped,
 * other bytes become `\DDD`.
 */
export function escapeLabel(bytes: string): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i)
    if (c <= 0x20 || c >= 0x7f) out += '\\' + String(c).padStart(3, '0')
    else if (c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) out += '\\' + bytes.charAt(i)
    else out += bytes.charAt(i)
  }
  return out
}

/** True when `name` contains a backslash escape (dns-packet's name encoder cannot write those). */
export function hasEscapes(name: string): boolean {
  return name.indexOf('\\') !== -1
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) return true
  }
  return false
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}
