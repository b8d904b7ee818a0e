// The stream signer against an HMAC computed here from RFC 8945 §5.3.1's description, so a
// mistake shared by signer and verifier would not hide.
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createKeyring, readTsig, signRequest, TsigStreamSigner, verifyRequest } from '../../src/tsig/index.js'
import { keyFor, NOW, queryBytes } from './helpers.js'

const key = createKeyring([keyFor('hmac-sha256', 'xfr.example.')]).get('xfr.example.')!

function u48(n: number): Buffer {
  const b = Buffer.alloc(6)
  b.writeUIntBE(n, 0, 6)
  return b
}

/** The message as it was before its TSIG: ARCOUNT back down, the record cut off. */
function unsigned(signed: Buffer): { body: Buffer; mac: Buffer; time: number; fudge: number } {
  const found = readTsig(signed)
  if (found.status !== 'found') throw new Error('unsigned')
  const body = Buffer.from(signed.subarray(0, found.record.offset))
  body.writeUInt16BE(body.readUInt16BE(10) - 1, 10)
  return { body, mac: found.record.mac, time: found.record.timeSigned, fudge: found.record.fudge }
}

describe('TsigStreamSigner', () => {
  const request = signRequest(queryBytes('example.', { id: 7 }), key, NOW)
  const verdict = verifyRequest(request.bytes, createKeyring([keyFor('hmac-sha256', 'xfr.example.')]), NOW)
  if (verdict.status !== 'ok') throw new Error(`request does not verify: ${verdict.status}`)
  const context = verdict.context
  const messages = [queryBytes('a.example.', { id: 7 }), queryBytes('b.example.', { id: 7 }), queryBytes('c.example.', { id: 7 })].map((m) => {
    m[2]! |= 0x80
    return m
  })

  it('signs the first message as a response (request MAC, all TSIG variables) and later ones over the prior MAC and the timers only', () => {
    const signer = new TsigStreamSigner(context)
    const signed = messages.map((m, i) => signer.sign(m, NOW + i))
    expect(signer.signed).toBe(3)

    const first = unsigned(signed[0]!)
    expect(first.body).toEqual(messages[0])
    const h1 = createHmac('sha256', key.secret)
    h1.update(Buffer.from([0, request.context.requestMac.length]))
    h1.update(request.context.requestMac)
    h1.update(first.body)
    h1.update(key.nameWire)
    h1.update(Buffer.from([0x00, 0xff, 0, 0, 0, 0]))
    h1.update(key.algorithmWire)
    h1.update(Buffer.concat([u48(NOW), Buffer.from([1, 44, 0, 0, 0, 0])]))
    expect(first.mac).toEqual(h1.digest())

    let prior = first.mac
    for (let i = 1; i < signed.length; i++) {
      const s = unsigned(signed[i]!)
      expect(s.time).toBe(NOW + i)
      const h = createHmac('sha256', key.secret)
      h.update(Buffer.from([0, prior.length]))
      h.update(prior)
      h.update(s.body)
      h.update(Buffer.concat([u48(NOW + i), Buffer.from([1, 44])]))
      expect(s.mac).toEqual(h.digest())
      prior = s.mac
    }
  })

  it('chains: the same message signed after a different predecessor gets a different MAC', () => {
    const a = new TsigStreamSigner(context)
    a.sign(messages[0]!, NOW)
    const b = new TsigStreamSigner(context)
    b.sign(messages[1]!, NOW)
    expect(unsigned(a.sign(messages[2]!, NOW)).mac).not.toEqual(unsigned(b.sign(messages[2]!, NOW)).mac)
  })
})
