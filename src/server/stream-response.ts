/**
 * {@link StreamResponse}: a handler's answer made of many messages on one TCP connection (an AXFR
 * or IXFR, RFC 5936 §2.2). The server writes the messages in order, waiting for the connection to
 * drain between them (a zone larger than the socket buffer is not held in memory twice), patches
 * the query's id into each, and signs each with TSIG when the query was signed (RFC 8945 §5.3.1).
 */

const STREAM: unique symbol = Symbol.for('dns-ha.stream-response') as never

/** Many response messages for one query; make one with {@link respondStream}. */
export interface StreamResponse {
  readonly [STREAM]: true
  /** The encoded messages, in order (ids are patched by the server; no TSIG yet). */
  readonly messages: Iterable<Uint8Array> | AsyncIterable<Uint8Array>
}

/**
 * A handler result answering one query with `messages`, in order. Over TCP each is written as
 * its own length-prefixed message; over UDP only the first is sent (truncated like any answer
 * too large), so a handler should stream over TCP only. An iterator that throws before its first
 * message gets SERVFAIL; one that throws later ends the connection (the client sees an
 * incomplete transfer, never a wrong one).
 */
export function respondStream(messages: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): StreamResponse {
  return { [STREAM]: true, messages }
}

/** True when `value` is a {@link StreamResponse}. */
export function isStreamResponse(value: unknown): value is StreamResponse {
  return typeof value === 'object' && value !== null && (value as { [STREAM]?: unknown })[STREAM] === true
}
