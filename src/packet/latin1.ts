/**
 * Bytes as a latin1 string through Buffer's own reader: `toString('latin1', ...)` reaches it
 * through three JS layers that cost as much as the copy itself on a per-query path.
 */
const native = (Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, start: number, end: number) => string }).latin1Slice

/** `buf[start..end)` as one flat latin1 string (one char per byte). */
export const latin1Text: (buf: Buffer, start: number, end: number) => string =
  typeof native === 'function' ? (buf, start, end) => native.call(buf, start, end) : (buf, start, end) => buf.toString('latin1', start, end)
