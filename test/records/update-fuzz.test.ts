// Malformed UPDATE messages (fast-check): valid messages with bytes flipped, cut short or
// extended, and random bodies behind a valid header. The responder never throws, always answers
// with a DNS rcode, and anything but NOERROR leaves the zone as it was (same object, same serial).
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpdateResponder } from '../../src/records/update-responder.js'
import { ZoneStore } from '../../src/records/zone-store.js'
import { checkZone } from '../../src/zone/check.js'
import { exampleZone, tempDir } from './helpers.js'
import { C, T, rdata, updateMessage, updateQuery } from './update-wire.js'

const temp = tempDir()
let store: ZoneStore
let responder: UpdateResponder
beforeAll(async () => {
  store = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()], fsync: false })
  responder = new UpdateResponder({ store, allowUpdate: [{ key: 'admin', names: 'zonesub' }] })
})
afterAll(async () => {
  await store.close()
  temp.cleanup()
})

const SEEDS = [
  updateMessage({ updates: [{ name: 'f.example.com.', type: T.A, klass: C.IN, ttl: 60, rdata: rdata('A', '192.0.2.1') }] }),
  updateMessage({ prereqs: [{ name: 'www.example.com.', type: T.A, klass: C.ANY }], updates: [{ name: 'www.example.com.', type: T.A, klass: C.NONE, rdata: rdata('A', '192.0.2.10') }] }),
  updateMessage({ prereqs: [{ name: 'f.example.com.', type: T.ANY, klass: C.NONE }], updates: [{ name: 'f.example.com.', type: T.MX, klass: C.IN, ttl: 60, rdata: rdata('MX', { preference: 5, exchange: 'mx.example.com' }) }] }),
  updateMessage({ updates: [{ name: 'g.example.com.', type: T.TXT, klass: C.IN, ttl: 60, rdata: rdata('TXT', ['a', 'b']) }, { name: 'alias.example.com.', type: T.ANY, klass: C.ANY }] }),
]
const VALID_RCODES = new Set([0, 1, 2, 5, 6, 7, 8, 9, 10])

async function check(bytes: Uint8Array): Promise<void> {
  const raw = Buffer.from(bytes)
  if (raw.length < 12) return
  // The server reads header and zone section first; what it cannot read never reaches a handler.
  let query
  try {
    query = updateQuery(raw, 'admin')
  } catch {
    return
  }
  const before = store.zone('example.com.')
  const serial = store.serial('example.com.')
  const answer = (await responder.answerUpdate(query)) as dnsPacket.Packet
  const rcode = (answer.flags ?? 0) & 0xf
  expect(VALID_RCODES.has(rcode)).toBe(true)
  expect(answer.id).toBe(raw.readUInt16BE(0))
  if (rcode !== 0) {
    expect(store.zone('example.com.')).toBe(before)
    expect(store.serial('example.com.')).toBe(serial)
  }
  expect(checkZone(store.zone('example.com.')).ok).toBe(true)
}

describe('UPDATE fuzz', () => {
  it('mutated valid messages: a proper rcode, no throw, nothing changed unless NOERROR', async () => {
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: SEEDS.length - 1 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      tail: fc.uint8Array({ maxLength: 16 }),
    })
    await fc.assert(
      fc.asyncProperty(mutation, async ({ seed, flips, cut, tail }) => {
        const bytes = Buffer.from(SEEDS[seed]!)
        // Keep the opcode UPDATE and QR=0: other bytes are fair game.
        for (const [at, value] of flips) {
          const i = 4 + (at % (bytes.length - 4))
          bytes[i] = value
        }
        const body = cut === undefined ? bytes : bytes.subarray(0, 12 + (cut % (bytes.length - 11)))
        await check(Buffer.concat([body, tail]))
      }),
      { numRuns: 1500 },
    )
  })

  it('random bodies behind an UPDATE header: a proper rcode, no throw, nothing changed unless NOERROR', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 200 })), async ([zo, pr, up, body]) => {
        const header = Buffer.alloc(12)
        header.writeUInt16BE(0x4242, 0)
        header.writeUInt16BE(5 << 11, 2)
        header.writeUInt16BE(zo, 4)
        header.writeUInt16BE(pr, 6)
        header.writeUInt16BE(up, 8)
        await check(Buffer.concat([header, body]))
      }),
      { numRuns: 1500 },
    )
  })
})
