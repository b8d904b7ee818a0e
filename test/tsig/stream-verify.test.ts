// The verifier of signed streams (RFC 8945 §5.3.1): the first message over the request MAC, later
// ones over the prior MAC + the unsigned messages since + timers; at most 99 unsigned in a row;
// the last message signed.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { computeStreamMac } from '../../src/tsig/mac.js'
import { encodeTsigRecord } from '../../src/tsig/record.js'
import { appendRecord, signRequest, signResponse } from '../../src/tsig/sign.js'
import { resolveTsigKey } from '../../src/tsig/keyring.js'
import { MAX_UNSIGNED_RUN, TsigStreamVerifier } from '../../src/tsig/stream-verify.js'
import type { TsigRequestContext } from '../../src/tsig/verify-request.js'
import { readTsig } from '../../src/tsig/record.js'

const NOW = 1_700_000_000
const key = resolveTsigKey({ name: 'xfr', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 3).toString('base64') })

function message(i: number): Buffer {
  return Buffer.from(dnsPacket.encode({ type: 'response', id: 77, answers: [{ name: `h${i}.example`, type: 'A', ttl: 60, data: '192.0.2.1' }] }))
}

/** A stream of `count` messages, signed where `signed(i)`, as a primary would send it. */
function stream(count: number, signed: (i: number) => boolean): { context: TsigRequestContext; messages: Buffer[] } {
  const request = signRequest(Buffer.from(dnsPacket.encode({ type: 'query', id: 77, questions: [{ name: 'example', type: 'AXFR' }] })), key, NOW)
  const messages: Buffer[] = []
  let prior: Buffer | undefined
  let unsigned: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const m = message(i)
    if (i === 0) {
      const first = signResponse(m, request.context, NOW)
      prior = (readTsig(first) as { record: { mac: Buffer } }).record.mac
      messages.push(first)
      continue
    }
    if (!signed(i)) {
      unsigned.push(m)
      messages.push(m)
      continue
    }
    const mac = computeStreamMac({ secret: key.secret, hash: key.hash, priorMac: prior!, unsigned, message: m, originalId: 77, arcount: 0, timeSigned: NOW, fudge: 300 })
    messages.push(appendRecord(m, encodeTsigRecord({ nameWire: key.nameWire, algorithmWire: key.algorithmWire, timeSigned: NOW, fudge: 300, mac, originalId: 77, error: 0, otherData: Buffer.alloc(0) })))
    prior = mac
    unsigned = []
  }
  return { context: request.context, messages }
}

function verifyAll(s: { context: TsigRequestContext; messages: Buffer[] }, now = NOW): string[] {
  const v = new TsigStreamVerifier(s.context)
  return [...s.messages.map((m) => v.verify(m, now).status), v.finish().status]
}

describe('TsigStreamVerifier', () => {
  it('accepts every message signed', () => {
    expect(verifyAll(stream(4, () => true))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
  })

  it('accepts unsigned messages between signed ones, covered by the next MAC', () => {
    expect(verifyAll(stream(5, (i) => i % 2 === 0))).toEqual(['ok', 'unsigned', 'ok', 'unsigned', 'ok', 'ok'])
  })

  it('fails a stream whose last message is unsigned', () => {
    const result = verifyAll(stream(3, (i) => i < 2))
    expect(result.slice(0, 3)).toEqual(['ok', 'ok', 'unsigned'])
    expect(result[3]).toBe('failed')
  })

  it(`fails after ${MAX_UNSIGNED_RUN} unsigned messages in a row`, () => {
    const s = stream(MAX_UNSIGNED_RUN + 3, (i) => i > MAX_UNSIGNED_RUN + 1)
    const v = new TsigStreamVerifier(s.context)
    const statuses = s.messages.map((m) => v.verify(m, NOW).status)
    expect(statuses.slice(1, MAX_UNSIGNED_RUN + 1).every((x) => x === 'unsigned')).toBe(true)
    expect(statuses[MAX_UNSIGNED_RUN + 1]).toBe('failed')
  })

  it('fails a changed byte in an unsigned message when the next signed one arrives', () => {
    const s = stream(3, (i) => i !== 1)
    s.messages[1]![s.messages[1]!.length - 1]! ^= 1
    expect(verifyAll(s)).toEqual(['ok', 'unsigned', 'failed', 'failed'])
  })

  it('fails an unsigned first message, and a stream signed outside the time window', () => {
    const s = stream(2, () => true)
    const v = new TsigStreamVerifier(s.context)
    expect(v.verify(message(0), NOW)).toMatchObject({ status: 'failed', reason: expect.stringContaining('not signed') })
    const late = stream(2, () => true)
    const w = new TsigStreamVerifier(late.context)
    expect(w.verify(late.messages[0]!, NOW)).toEqual({ status: 'ok' })
    expect(w.verify(late.messages[1]!, NOW + 301)).toMatchObject({ status: 'failed', reason: expect.stringContaining('BADTIME') })
  })
})
