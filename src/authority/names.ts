/**
 * Name helpers for the lookup and the encoder: presentation-form names (`www.Example.test.`,
 * RFC 1035 §5.1 escapes allowed) split into labels and suffixes without being fooled by an
 * escaped dot (`a\.b.example.` has two labels, not three).
 */

/** The labels of an absolute name, leftmost first, escapes kept; the root has none. */
export function splitLabels(name: string): string[] {
  if (name === '.' || name === '') return []
  if (name.indexOf('\\') < 0) {
    const labels = name.split('.')
    if (labels[labels.length - 1] === '') labels.pop()
    return labels
  }
  const labels: string[] = []
  let start = 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === 0x5c) {
      i++ // skip the escaped character (or the first digit of \DDD, the rest are not dots)
      continue
    }
    if (c === 0x2e) {
      labels.push(name.slice(start, i))
      start = i + 1
    }
  }
  if (start < name.length) labels.push(name.slice(start))
  return labels
}

/** The wire bytes of one presentation-form label (escapes decoded). */
export function labelBytes(label: string): Uint8Array {
  if (label.indexOf('\\') < 0) return Buffer.from(label, 'latin1')
  const out: number[] = []
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i)
    if (c !== 0x5c) {
      out.push(c & 0xff)
      continue
    }
    const d = label.slice(i + 1, i + 4)
    if (/^\d{3}$/.test(d)) {
      out.push(Number(d) & 0xff)
      i += 3
    } else {
      out.push(label.charCodeAt(i + 1) & 0xff)
      i += 1
    }
  }
  return Uint8Array.from(out)
}
