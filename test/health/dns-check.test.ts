// dnsCheck against real DnsServers on 127.0.0.1: what each expectation accepts and refuses, and
// the prober's detection of a wrong answer, a stopped server and its return (times printed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { dnsCheck } from '../../src/health/dns-check.js'
import { memberTarget } from '../../src/health/member-target.js'
import { HealthProber } from '../../src/health/prober.js'
import type { CheckContext, HealthResultEvent } from '../../src/health/types.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { realClock } from '../../src/util/clock.js'
import { exampleZone, next } from './helpers.js'

function context(timeoutMs = 1000): CheckContext {
  return { signal: new AbortController().signal, clock: realClock, timeoutMs, target: 'x' }
}

describe('dnsCheck expectations', () => {
  let server: DnsServer
  let port: number
  beforeAll(async () => {
    server = new DnsServer({ handler: new Authority({ zones: [exampleZone('192.0.2.80')] }) })
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
  })
  afterAll(() => server.close())

  const at = () => ({ address: '127.0.0.1', port })

  it('passes with NOERROR by default and fails on another rcode', async () => {
    expect(await dnsCheck({ server: at(), name: 'www.example.test' })(context())).toMatchObject({ ok: true })
    const refused = await dnsCheck({ server: at(), name: 'www.elsewhere.test' })(context())
    expect(refused).toEqual({ ok: false, reason: `www.elsewhere.test A at 127.0.0.1#${port}: rcode REFUSED, expected NOERROR` })
    expect(await dnsCheck({ server: at(), name: 'nx.example.test', expect: { rcode: 'NXDOMAIN' } })(context())).toMatchObject({ ok: true })
  })

  it('addresses: the exact set, order aside', async () => {
    expect(await dnsCheck({ server: at(), name: 'www.example.test', expect: { addresses: ['192.0.2.80'] } })(context())).toMatchObject({ ok: true })
    const wrong = await dnsCheck({ server: at(), name: 'www.example.test', expect: { addresses: ['192.0.2.81'] } })(context())
    expect(wrong).toEqual({ ok: false, reason: `www.example.test A at 127.0.0.1#${port}: answer 192.0.2.80, expected 192.0.2.81` })
    const more = await dnsCheck({ server: at(), name: 'www.example.test', expect: { addresses: ['192.0.2.80', '192.0.2.81'] } })(context())
    expect(more.ok).toBe(false)
  })

  it('match: a regex over the answer as zone text', async () => {
    const check = dnsCheck({ server: at(), name: 'www.example.test', expect: { match: /^www\.example\.test\. 300 IN A 192\.0\.2\.80$/m } })
    expect(await check(context())).toMatchObject({ ok: true })
    const sticky = dnsCheck({ server: at(), name: 'www.example.test', expect: { match: /192\.0\.2\.80/g } })
    expect((await sticky(context())).ok).toBe(true)
    expect((await sticky(context())).ok).toBe(true) // a /g regex is not left halfway
    const miss = await dnsCheck({ server: at(), name: 'www.example.test', expect: { match: /192\.0\.2\.99/ } })(context())
    expect(miss.reason).toContain('answer does not match /192\\.0\\.2\\.99/: www.example.test. 300 IN A 192.0.2.80')
  })

  it('predicate: true passes, false or a string fails with it as the reason; over TCP too', async () => {
    const tcp = dnsCheck({ server: at(), name: 'example.test', type: 'SOA', transport: 'tcp', expect: { predicate: (p) => p.answers?.length === 1 } })
    expect(await tcp(context())).toMatchObject({ ok: true })
    const says = await dnsCheck({ server: at(), name: 'www.example.test', expect: { predicate: () => 'too slow' } })(context())
    expect(says.reason).toMatch(/: too slow$/)
    const no = await dnsCheck({ server: at(), name: 'www.example.test', expect: { predicate: () => false } })(context())
    expect(no.ok).toBe(false)
  })

  it('a run aborted by its signal rejects at once', async () => {
    const controller = new AbortController()
    const closed = new DnsServer({ handler: () => new Promise(() => {}), closeTimeoutMs: 50 })
    const p = (await closed.listen({ port: 0, address: '127.0.0.1' })).port
    const run = dnsCheck({ server: { address: '127.0.0.1', port: p } , name: 'www.example.test' })({ ...context(5000), signal: controller.signal })
    const started = Date.now()
    setTimeout(() => controller.abort(), 50)
    await expect(run).rejects.toThrow(/aborted/)
    expect(Date.now() - started).toBeLessThan(1000)
    await closed.close()
  })
})

describe('HealthProber + dnsCheck on loopback: detection', () => {
  const INTERVAL = 100
  const TIMEOUT = 200
  const FALL = 3
  const RISE = 2

  it('wrong answer -> down after `fall` checks; fixed -> up after `rise`; server stopped -> down; restarted -> up', async () => {
    const authority = new Authority({ zones: [exampleZone('192.0.2.80', 1)] })
    let server = new DnsServer({ handler: authority })
    const port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
    const name = memberTarget('127.0.0.1', port)
    const prober = new HealthProber({ clock: realClock })
    const results: (HealthResultEvent & { at: number })[] = []
    prober.on('result', (r) => results.push({ ...r, at: Date.now() }))
    try {
      prober.add({
        name,
        check: dnsCheck({ server: { address: '127.0.0.1', port }, name: 'www.example.test', expect: { addresses: ['192.0.2.80'] } }),
        intervalMs: INTERVAL,
        timeoutMs: TIMEOUT,
        fall: FALL,
        rise: RISE,
        initialState: 'unknown',
      })
      await next(prober, 'up', name)

      // 1. The answer turns wrong.
      let since = Date.now()
      let mark = results.length
      authority.replaceZone(exampleZone('192.0.2.99', 2))
      const down = await next(prober, 'down', name)
      const wrongMs = Date.now() - since
      const failed = results.slice(mark)
      expect(down.reason).toContain('answer 192.0.2.99, expected 192.0.2.80')
      // Down on exactly the `fall`-th failure in a row (a pass may have been in flight at the swap).
      expect(failed.filter((r) => !r.ok)).toHaveLength(FALL)
      expect(failed.at(-1)!.ok).toBe(false)
      expect(wrongMs).toBeLessThanOrEqual(FALL * INTERVAL + TIMEOUT + 150)

      // 2. Fixed.
      since = Date.now()
      mark = results.length
      authority.replaceZone(exampleZone('192.0.2.80', 3))
      await next(prober, 'up', name)
      const fixedMs = Date.now() - since
      expect(results.slice(mark).filter((r) => r.ok)).toHaveLength(RISE)

      // 3. The server stops.
      since = Date.now()
      mark = results.length
      await server.close()
      const stopped = await next(prober, 'down', name)
      const stoppedMs = Date.now() - since
      expect(stopped.reason).toMatch(/no answer|timed out/)
      expect(results.slice(mark).filter((r) => !r.ok)).toHaveLength(FALL)
      expect(stoppedMs).toBeLessThanOrEqual(FALL * (INTERVAL + TIMEOUT) + 300)

      // 4. Back on the same port.
      since = Date.now()
      server = new DnsServer({ handler: authority })
      await server.listen({ port, address: '127.0.0.1' })
      await next(prober, 'up', name)
      const restoredMs = Date.now() - since

      console.log(
        `dnsCheck detection (interval ${INTERVAL} ms, timeout ${TIMEOUT} ms, fall ${FALL}, rise ${RISE}): ` +
          `wrong answer -> down in ${wrongMs} ms; fixed -> up in ${fixedMs} ms; server stopped -> down in ${stoppedMs} ms; restarted -> up in ${restoredMs} ms`,
      )
    } finally {
      prober.close()
      await server.close()
    }
  })
})
