/**
 * {@link readFramedMessages}: the DNS messages of a TCP stream (RFC 1035 §4.2.2: each prefixed
 * by its 2-byte length), handed over one at a time until the consumer says the stream is done,
 * bounded three ways: an idle timeout (no byte for that long: a stalled peer), an overall
 * timeout, and a byte budget. The socket is destroyed however it ends.
 */
import type { Clock, TimerHandle } from '../util/clock.js'
import type { StreamSocket } from '../util/network.js'
import type { DnsHaError } from '../util/errors.js'
import { transferFailure } from './transfer-failure.js'

/** Options of {@link readFramedMessages}. */
export interface FramedReadOptions {
  clock: Clock
  /** Fail (`stalled`) when no byte arrives for this long, in ms. */
  idleTimeoutMs: number
  /** Fail (`timeout`) when the whole stream takes longer, in ms. */
  timeoutMs: number
  /** Fail (`too-large`) past this many bytes. */
  maxBytes: number
  /** Aborting fails the read (`aborted`). */
  signal?: AbortSignal
  /** Takes each message; returns true when it was the last. A throw fails the read with that error. */
  onMessage(message: Buffer): boolean
}

/** What was read. */
export interface FramedReadResult {
  messages: number
  bytes: number
}

/** Reads messages from `socket` until `onMessage` returns true; rejects with an `ERR_TRANSFER_IN` error. */
export function readFramedMessages(socket: StreamSocket, options: FramedReadOptions): Promise<FramedReadResult> {
  return new Promise<FramedReadResult>((resolve, reject) => {
    const { clock } = options
    let pending: Buffer = Buffer.alloc(0)
    let bytes = 0
    let messages = 0
    let settled = false
    let idle: TimerHandle | undefined
    const overall = clock.setTimeout(() => fail(transferFailure('timeout', `transfer not finished within ${options.timeoutMs} ms`)), options.timeoutMs)
    const armIdle = (): void => {
      clock.clearTimeout(idle)
      idle = clock.setTimeout(() => fail(transferFailure('stalled', `transfer stalled: no data for ${options.idleTimeoutMs} ms`)), options.idleTimeoutMs)
    }
    const finish = (settle: () => void): void => {
      if (settled) return
      settled = true
      clock.clearTimeout(idle)
      clock.clearTimeout(overall)
      options.signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      settle()
    }
    const fail = (error: DnsHaError | unknown): void => finish(() => reject(error))
    const onAbort = (): void => fail(transferFailure('aborted', 'transfer aborted'))
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    armIdle()

    socket.onData((chunk) => {
      if (settled) return
      bytes += chunk.length
      if (bytes > options.maxBytes) return fail(transferFailure('too-large', `transfer larger than ${options.maxBytes} bytes`))
      armIdle()
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      let at = 0
      while (!settled && pending.length - at >= 2) {
        const length = pending.readUInt16BE(at)
        if (pending.length - at < 2 + length) break
        const message = pending.subarray(at + 2, at + 2 + length)
        at += 2 + length
        messages++
        let done: boolean
        try {
          done = options.onMessage(message)
        } catch (error) {
          return fail(error)
        }
        if (done) return finish(() => resolve({ messages, bytes }))
      }
      pending = at === 0 ? pending : Buffer.from(pending.subarray(at))
    })
    socket.onError((cause) => fail(transferFailure('network', `transfer connection error: ${cause.message}`, cause)))
    socket.onClose(() =>
      fail(transferFailure('truncated', `connection closed before the closing SOA (after ${messages} message(s), ${bytes} bytes${pending.length > 0 ? ', inside a message' : ''})`)),
    )
  })
}
