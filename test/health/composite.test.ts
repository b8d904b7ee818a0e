// fnCheck, allOf / anyOf, and the answer text dnsCheck matches against.
import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { answerAddresses, answerText } from '../../src/health/answer-text.js'
import { allOf, anyOf } from '../../src/health/composite.js'
import { fnCheck } from '../../src/health/fn-check.js'
import type { CheckContext, HealthCheck } from '../../src/health/types.js'
import type { DnsPacket } from '../../src/packet/dns-packet.js'
import { FakeClock } from '../../src/testing/fake-clock.js'

const ctx = (signal = new AbortController().signal): CheckContext => ({ signal, clock: new FakeClock(), timeoutMs: 1000, target: 'x' })
const pass = (reason: string, weight?: number): HealthCheck => async () => ({ ok: true, reason, ...(weight === undefined ? {} : { weight }) })
const fail = (reason: string): HealthCheck => async () => ({ ok: false, reason })

describe('fnCheck', () => {
  it('takes a boolean or an outcome, hands over the signal', async () => {
    expect(await fnCheck(() => true)(ctx())).toEqual({ ok: true, reason: 'the function said up' })
    expect(await fnCheck(async () => false)(ctx())).toEqual({ ok: false, reason: 'the function said down' })
    expect(await fnCheck(() => ({ ok: true, reason: 'disk 40%', weight: 3 }))(ctx())).toEqual({ ok: true, reason: 'disk 40%', weight: 3 })
    expect(await fnCheck(() => ({ ok: false }))(ctx())).toEqual({ ok: false, reason: 'the function said down' })
    expect(await fnCheck(() => 'yes' as never)(ctx())).toEqual({ ok: false, reason: 'the function returned neither a boolean nor { ok }' })
    const controller = new AbortController()
    let seen: AbortSignal | undefined
    await fnCheck((signal) => ((seen = signal), true))(ctx(controller.signal))
    expect(seen).toBe(controller.signal)
  })
})

describe('allOf / anyOf', () => {
  it('allOf passes only when every part passes, with the smallest weight asked for', async () => {
    expect(await allOf(pass('a', 5), pass('b'), pass('c', 2))(ctx())).toEqual({ ok: true, reason: 'a; b; c', weight: 2 })
    expect(await allOf(pass('a'), pass('b'))(ctx())).toEqual({ ok: true, reason: 'a; b' })
    expect(await allOf(pass('a'), fail('b down'), fail('c down'))(ctx())).toEqual({ ok: false, reason: 'b down; c down' })
    const throwing: HealthCheck = async () => {
      throw new Error('cannot run')
    }
    expect(await allOf(pass('a'), throwing)(ctx())).toEqual({ ok: false, reason: 'cannot run' })
    expect(await allOf()(ctx())).toEqual({ ok: false, reason: 'allOf with no checks' })
  })

  it('anyOf passes when one part passes, with the largest weight a passing part asked for', async () => {
    expect(await anyOf(fail('a down'), pass('b', 4), pass('c', 9))(ctx())).toEqual({ ok: true, reason: 'b; c', weight: 9 })
    expect(await anyOf(fail('a down'), pass('b'))(ctx())).toEqual({ ok: true, reason: 'b' })
    expect(await anyOf(fail('a down'), fail('b down'))(ctx())).toEqual({ ok: false, reason: 'a down; b down' })
    expect(await anyOf()(ctx())).toEqual({ ok: false, reason: 'anyOf with no checks' })
  })

  it('every part gets the run context', async () => {
    const seen: CheckContext[] = []
    const spy: HealthCheck = async (c) => (seen.push(c), { ok: true, reason: 'ok' })
    const context = ctx()
    await allOf(spy, anyOf(spy))(context)
    expect(seen).toEqual([context, context])
  })
})

describe('answerText', () => {
  it('renders the answer section one record a line, as zone text', () => {
    const packet = dnsPacket.decode(
      dnsPacket.encode({
        type: 'response',
        id: 1,
        questions: [{ name: 'www.example.test', type: 'A' }],
        answers: [
          { name: 'www.example.test', type: 'CNAME', ttl: 60, data: 'web.example.test' },
          { name: 'web.example.test', type: 'A', ttl: 60, data: '192.0.2.80' },
          { name: 'web.example.test', type: 'AAAA', ttl: 60, data: '2001:db8::80' },
          { name: 'example.test', type: 'MX', ttl: 60, data: { preference: 10, exchange: 'mx.example.test' } },
          { name: 'example.test', type: 'TXT', ttl: 60, data: ['v=spf1 -all'] },
          { name: 'example.test', type: 'SOA', ttl: 60, data: { mname: 'ns1.example.test', rname: 'h.example.test', serial: 5, refresh: 1, retry: 2, expire: 3, minimum: 4 } },
          { name: '_dns._udp.example.test', type: 'SRV', ttl: 60, data: { priority: 1, weight: 2, port: 53, target: 'ns1.example.test' } },
        ],
      }),
    ) as DnsPacket
    expect(answerText(packet).split('\n')).toEqual([
      'www.example.test. 60 IN CNAME web.example.test.',
      'web.example.test. 60 IN A 192.0.2.80',
      'web.example.test. 60 IN AAAA 2001:db8::80',
      'example.test. 60 IN MX 10 mx.example.test.',
      'example.test. 60 IN TXT "v=spf1 -all"',
      'example.test. 60 IN SOA ns1.example.test. h.example.test. 5 1 2 3 4',
      '_dns._udp.example.test. 60 IN SRV 1 2 53 ns1.example.test.',
    ])
    expect(answerAddresses(packet)).toEqual(['192.0.2.80', '2001:db8::80'])
    expect(answerText({ ...packet, answers: [] } as DnsPacket)).toBe('')
  })
})
