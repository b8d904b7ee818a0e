/**
 * Domain names in master-file presentation form: made absolute against the origin, escapes
 * decoded and re-escaped to one spelling, and the RFC 1035 label and name limits checked.
 */
import { escapeLabel, isAbsolute } from '../packet/names.js'

/** The result of {@link parseName} when the name is malformed. */
export interface NameError {
  error: string
}

const SAFE = new Uint8Array(128)
for (let c = 0x21; c < 0x7f; c++) SAFE[c] = 1
for (const c of '.\\"();@$') SAFE[c.charCodeAt(0)] = 0

/**
 * A presentation name made absolute against `origin` (`@` is the origin) and normalised:
 * escapes decoded and re-escaped so equal names have equal text. Returns a {@link NameError}
 * for empty labels, labels over 63 bytes or names over 255 bytes.
 */
export function parseName(t: string, origin: string): string | NameError {
  if (t === '@') return origin
  const n = t.length
  if (n === 0) return { error: 'empty name' }
  if (t === '.') return '.'
  let fast = true
  let labelLen = 0
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x2e) {
      if (labelLen === 0) return { error: 'empty label' }
      if (labelLen > 63) return { error: 'label longer than 63 bytes' }
      labelLen = 0
    } else if (c < 128 && SAFE[c] === 1) {
      labelLen++
    } else {
      fast = false
      break
    }
  }
  let name: string
  if (fast) {
    if (labelLen > 63) return { error: 'label longer than 63 bytes' }
    // An absolute token is copied (a long slice would keep the file text alive).
    if (labelLen === 0) name = n >= 13 ? t.slice(0, -1) + '.' : t
    else {
      // Relative without escapes: its wire length is its length + 1, plus the origin's.
      if (n + 1 + originWireLength(origin) > 255) return { error: 'name longer than 255 bytes' }
      return origin === '.' ? t + '.' : t + '.' + origin
    }
  } else {
    const labels = splitEscaped(t)
    if (typeof labels === 'object' && !Array.isArray(labels)) return labels
    let out = ''
    for (const label of labels) out += escapeLabel(label) + '.'
    const absolute = isAbsolute(t)
    name = absolute ? out : origin === '.' ? out : out + origin
  }
  if (wireLength(name) > 255) return { error: 'name longer than 255 bytes' }
  return name
}

function splitEscaped(t: string): string[] | NameError {
  const labels: string[] = []
  let label = ''
  const n = t.length
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c === 0x5c) {
      if (i + 1 >= n) return { error: 'dangling backslash' }
      const d = t.charCodeAt(i + 1)
      if (d >= 48 && d <= 57) {
        const v = Number(t.slice(i + 1, i + 4))
        if (!/^[0-9]{3}$/.test(t.slice(i + 1, i + 4)) || v > 255) return { error: 'bad \\DDD escape' }
        label += String.fromCharCode(v)
        i += 3
      } else {
        label += t.charAt(i + 1)
        i++
      }
    } else if (c === 0x2e) {
      if (label.length === 0) return { error: 'empty label' }
      labels.push(label)
      label = ''
    } else {
      label += String.fromCharCode(c > 0xff ? 0x3f : c)
    }
    if (label.length > 63) return { error: 'label longer than 63 bytes' }
  }
  if (label.length > 0) labels.push(label)
  return labels
}

let lastOrigin = '.'
let lastOriginWire = 1

/** {@link wireLength} of the origin, remembered for the origin seen last. */
function originWireLength(origin: string): number {
  if (origin !== lastOrigin) {
    lastOriginWire = wireLength(origin)
    lastOrigin = origin
  }
  return lastOriginWire
}

/** Wire length of a normalised absolute presentation name. */
function wireLength(name: string): number {
  if (name === '.') return 1
  let len = 1
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) === 0x5c) {
      i += /[0-9]/.test(name.charAt(i + 1)) ? 3 : 1
    }
    len++
  }
  return len
}
