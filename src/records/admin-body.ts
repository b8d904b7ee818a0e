/**
 * Reading an admin API request body from Node's request stream, within a size limit. With a
 * Content-Length (what every client of the API sends), the body goes straight into one buffer of
 * that size: no chunk list, no concatenation, and no Web `Request` or `ReadableStream` around the
 * socket (building those was a tenth of the server's CPU per single-record edit). Without one
 * (chunked), chunks are kept until the limit and joined once.
 */

/**
 * What the reader needs of Node's `http.IncomingMessage` (its headers and its stream events),
 * named here so this file stays off `node:http` (only the seam files import `node:*`).
 */
export interface RequestStream {
  readonly headers: Record<string, string | string[] | undefined>
  readonly readableEnded: boolean
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'data', listener: (chunk: Buffer) => void): unknown
  off(event: 'end' | 'close', listener: () => void): unknown
  off(event: 'error', listener: (error: Error) => void): unknown
}

/** What {@link readRequestBody} got: the body, or why there is none. */
export type BodyRead =
  | { kind: 'body'; body: Buffer }
  /** Declared (Content-Length) or sent larger than the limit; what was sent is left unread. */
  | { kind: 'too-large' }
  /** The client went away, or sent other than the Content-Length it declared. */
  | { kind: 'incomplete'; reason: string }

/**
 * Reads the body of `incoming` (at most `maxBytes`). Never rejects: a failed read is a
 * {@link BodyRead} the caller answers.
 */
export function readRequestBody(incoming: RequestStream, maxBytes: number): Promise<BodyRead> {
  const header = incoming.headers['content-length']
  const chunked = incoming.headers['transfer-encoding'] !== undefined
  const declared = header === undefined || chunked ? undefined : Number(header)
  if (declared !== undefined && (!Number.isSafeInteger(declared) || declared < 0)) return Promise.resolve({ kind: 'incomplete', reason: `bad Content-Length ${header}` })
  if (declared !== undefined && declared > maxBytes) return Promise.resolve({ kind: 'too-large' })
  if (declared === 0 || incoming.readableEnded) return Promise.resolve({ kind: 'body', body: Buffer.alloc(0) })
  return new Promise<BodyRead>((resolve) => {
    const whole = declared === undefined ? undefined : Buffer.allocUnsafe(declared)
    const chunks: Buffer[] = []
    let size = 0
    const finish = (read: BodyRead): void => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onError)
      incoming.off('close', onClose)
      resolve(read)
    }
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > (declared ?? maxBytes)) {
        // Node dumps the rest of an unread body once the response is sent.
        finish(declared === undefined ? { kind: 'too-large' } : { kind: 'incomplete', reason: 'body longer than its Content-Length' })
        return
      }
      if (whole !== undefined) chunk.copy(whole, size)
      else chunks.push(chunk)
      size += chunk.length
    }
    const onEnd = (): void => {
      if (whole !== undefined) finish(size === declared ? { kind: 'body', body: whole } : { kind: 'incomplete', reason: 'body shorter than its Content-Length' })
      else finish({ kind: 'body', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) })
    }
    const onError = (error: Error): void => finish({ kind: 'incomplete', reason: error.message })
    const onClose = (): void => {
      if (!incoming.readableEnded) finish({ kind: 'incomplete', reason: 'the client closed the connection' })
    }
    incoming.on('data', onData)
    incoming.on('end', onEnd)
    incoming.on('error', onError)
    incoming.on('close', onClose)
  })
}
