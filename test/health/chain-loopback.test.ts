// The whole chain under load, on 127.0.0.1: a UdpProxyPool in front of two real DnsServers, a
// HealthProber with a dnsCheck per member, `pool.track(prober)`, and ~1,000 qps through the pool.
// One member starts answering a wrong address: the pool must stop sending to it within
// `fall × intervalMs + timeoutMs` (plus a stated margin), the wrong answers clients got inside
// that window are counted and printed, and none may come after it; fixed, the member is back
// after `rise` checks. The mirror: a member stopped, where the pool's own failure handling and the
// prober must both say up again before it is asked.
import { afterEach, describe, expect, it } from 'vitest'
import { dnsCheck } from '../../src/health/dns-check.js'
import { memberTarget } from '../../src/health/member-target.js'
import { HealthProber } from '../../src/health/prober.js'
import { UdpProxyPool } from '../../src/proxy/udp-proxy-pool.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { runLoad } from '../proxy/load.js'

const GOOD = '192.0.2.80'
const WRONG = '192.0.2.66'
const CHECK_NAME = 'www.health.test'
/** The prober's target settings: the detection window is FALL × INTERVAL + TIMEOUT = 550 ms. */
const INTERVAL = 100
const TIMEOUT = 250
const FALL = 3
const RISE = 2
const WINDOW = FALL * INTERVAL + TIMEOUT
/**
 * Margin for a loaded 2-core machine: the load generator, the pool, both members and the prober
 * share one event loop here, and other test runs share the cores; a tick can be late by hundreds
 * of ms. On an idle machine detection takes about the window or less.
 */
const MARGIN = 750
/**
 * The share of queries that must get a reply. On a quiet machine every one does (lost 0,
 * SERVFAIL 0, printed); with other load tests running beside this one, the one process that
 * runs the load, the pool and both members falls behind and up to a fifth were seen unanswered
 * within the drain. Throughput is not what this test is about; wrong answers and who is asked are.
 */
const MIN_REPLIED = 0.75

const cleanups: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A member that answers every A query with `member.data`, and records when it was asked a load query. */
class Member {
  data = GOOD
  server!: DnsServer
  port = 0
  /** performance.now() of each load query it handled (`qN.load.test`). */
  readonly loadQueries: number[] = []

  async start(port = 0): Promise<void> {
    this.server = new DnsServer({
      handler: (query) => {
        const name = query.question!.name
        if (/\.load\.test\.?$/.test(name)) this.loadQueries.push(performance.now())
        return { answers: [{ name, type: 'A', class: 'IN', ttl: 60, data: this.data }] }
      },
    })
    this.port = (await this.server.listen({ port, address: '127.0.0.1' })).port
    const server = this.server
    cleanups.push(() => server.close())
  }
}

async function chain(): Promise<{ members: Member[]; pool: UdpProxyPool; prober: HealthProber; port: number }> {
  const members = [new Member(), new Member()]
  for (const m of members) await m.start()
  const pool = new UdpProxyPool({ members: members.map((m) => ({ address: '127.0.0.1', port: m.port })), probeIntervalMs: 100 })
  const { port } = await pool.listen({ port: 0, address: '127.0.0.1' })
  cleanups.push(() => pool.close())
  const prober = new HealthProber()
  cleanups.push(() => prober.close())
  for (const m of members) {
    prober.add({
      name: memberTarget('127.0.0.1', m.port),
      check: dnsCheck({ server: { address: '127.0.0.1', port: m.port }, name: CHECK_NAME, expect: { addresses: [GOOD] } }),
      intervalMs: INTERVAL,
      timeoutMs: TIMEOUT,
      fall: FALL,
      rise: RISE,
    })
  }
  pool.track(prober)
  return { members, pool, prober, port }
}

/** Ms since `origin` of the first entry of `times` at or after `from` (absolute performance.now()). */
function firstAfter(times: number[], from: number): number | undefined {
  return times.find((t) => t >= from)
}

/** Pool and prober events stamped in ms since `origin` (set when the load starts). */
function timeline(pool: UdpProxyPool, prober: HealthProber) {
  const tl = {
    origin: 0,
    events: [] as { at: number; what: string }[],
    at: (): number => performance.now() - tl.origin,
  }
  pool.on('member-down', (e) => tl.events.push({ at: tl.at(), what: `pool down ${e.member.key}: ${e.reason}` }))
  pool.on('member-up', (e) => tl.events.push({ at: tl.at(), what: `pool up ${e.member.key}` }))
  prober.on('down', (e) => tl.events.push({ at: tl.at(), what: `prober down ${e.target}` }))
  prober.on('up', (e) => tl.events.push({ at: tl.at(), what: `prober up ${e.target}` }))
  return tl
}

describe('pool + prober + two DnsServers under ~1,000 qps', () => {
  it('a member answering a wrong address stops getting queries within fall × intervalMs + timeoutMs; no wrong answer after that; fixed, it is back after rise checks', async () => {
    const { members, pool, prober, port } = await chain()
    const [good, bad] = members as [Member, Member]
    const target = memberTarget('127.0.0.1', bad.port)
    const tl = timeline(pool, prober)
    const { events, at } = tl
    let brokenAt = 0
    let fixedAt = 0
    let sentAtDown = -1
    let sentAtFix = -1
    let proberDown: { at: number; reason: string } | undefined
    prober.on('down', (e) => {
      // From the prober's down the pool sends it nothing (it holds the member down in the same
      // tick). Measured at the prober: the pool's own frozen detection may also flap a member on
      // a stalled machine, and a member already down by that gets no second member-down.
      if (e.target !== target || brokenAt === 0 || proberDown) return
      proberDown = { at: at(), reason: e.reason }
      sentAtDown = pool.snapshot().members.find((m) => m.key === target)!.counters.queries
    })
    const r = await runLoad({
      port,
      qps: 1000,
      durationMs: 5000,
      // Long enough for the pool's own 2 s budget: every query gets an answer or its SERVFAIL.
      drainMs: 2500,
      onTick: (t) => {
        if (tl.origin === 0) tl.origin = performance.now() - t
        if (t >= 1000 && brokenAt === 0) {
          brokenAt = t
          bad.data = WRONG
        }
        if (t >= 2500 && fixedAt === 0) {
          fixedAt = t
          sentAtFix = pool.snapshot().members.find((m) => m.key === target)!.counters.queries
          bad.data = GOOD
        }
      },
    })
    const downAt = proberDown?.at ?? Infinity
    const upAt = events.find((e) => e.what === `pool up ${target}` && e.at > fixedAt)?.at ?? Infinity
    const wrong = r.replies.filter((x) => x.by === WRONG)
    const wrongLate = wrong.filter((x) => x.at > brokenAt + WINDOW + MARGIN)
    const backAt = firstAfter(bad.loadQueries, tl.origin + fixedAt)
    console.log(
      `chain, wrong address: sent ${r.sent}, answered ${r.answered}, servfail ${r.servfail}, lost ${r.lost}, by address ${JSON.stringify(r.byMember)}; ` +
        `pool stopped sending ${(downAt - brokenAt).toFixed(0)} ms after the switch (window ${WINDOW} ms + margin ${MARGIN} ms); ` +
        `wrong answers inside the window: ${wrong.length} (last ${wrong.length ? (wrong[wrong.length - 1]!.at - brokenAt).toFixed(0) : '-'} ms after the switch), after it: ${wrongLate.length}; ` +
        `fixed → pool up after ${(upAt - fixedAt).toFixed(0)} ms, first query to it ${backAt === undefined ? 'never' : `${(backAt - tl.origin - fixedAt).toFixed(0)} ms`} after the fix; ` +
        `events ${JSON.stringify(events.map((e) => `${e.at.toFixed(0)} ${e.what}`))}`,
    )
    expect(r.sent).toBe(5000)
    // Taken out by the prober, within the window (+ margin), and not asked again until fixed.
    expect(proberDown?.reason).toMatch(/answer 192\.0\.2\.66, expected 192\.0\.2\.80/)
    expect(downAt - brokenAt).toBeGreaterThan(0)
    expect(downAt - brokenAt).toBeLessThanOrEqual(WINDOW + MARGIN)
    expect(sentAtFix).toBe(sentAtDown)
    // Every wrong answer came inside the window; some did (the switch was seen by clients).
    expect(wrong.length).toBeGreaterThan(0)
    expect(wrongLate).toEqual([])
    // The prober never called the good member down; clients kept getting answers (see MIN_REPLIED).
    expect(events.some((e) => e.what === `prober down 127.0.0.1#${good.port}`)).toBe(false)
    expect(r.answered).toBeGreaterThanOrEqual(r.sent * MIN_REPLIED)
    // Fixed: up after `rise` passing checks, and asked again.
    expect(upAt - fixedAt).toBeLessThanOrEqual(RISE * INTERVAL + TIMEOUT + MARGIN)
    expect(backAt).toBeDefined()
    expect(pool.snapshot().members.find((m) => m.key === target)!.counters.queries).toBeGreaterThan(sentAtFix)
  }, 30_000)

  it('a member stopped: the pool (port unreachable) and the prober both take it down, and it is asked again only once both say up', async () => {
    const { members, pool, prober, port } = await chain()
    const [good, stopped] = members as [Member, Member]
    const target = memberTarget('127.0.0.1', stopped.port)
    const tl = timeline(pool, prober)
    const { events, at } = tl
    let stoppedAt = 0
    let restartAt = 0
    let restarted: Promise<void> | undefined
    let listeningAt = 0
    // What the pool sent it (queries, its own probes), read when the prober changes its verdict:
    // counted where they are sent, so a datagram a starved member reads late cannot blur them.
    const sent = (): { queries: number; probes: number } => {
      const { counters } = pool.snapshot().members.find((m) => m.key === target)!
      return { queries: counters.queries, probes: counters.probes }
    }
    let atProberDown: { queries: number; probes: number } | undefined
    let atProberUp: { queries: number; probes: number } | undefined
    prober.on('down', (e) => {
      if (e.target === target && stoppedAt > 0 && !atProberDown) atProberDown = sent()
    })
    prober.on('up', (e) => {
      if (e.target === target && atProberDown && !atProberUp) atProberUp = sent()
    })
    const r = await runLoad({
      port,
      qps: 1000,
      durationMs: 5000,
      // Long enough for the pool's own 2 s budget: every query gets an answer or its SERVFAIL.
      drainMs: 2500,
      onTick: (t) => {
        if (tl.origin === 0) tl.origin = performance.now() - t
        if (t >= 1000 && stoppedAt === 0) {
          stoppedAt = t
          void stopped.server.close()
        }
        if (t >= 2500 && restartAt === 0) {
          restartAt = t
          restarted = stopped.start(stopped.port).then(() => {
            listeningAt = at()
          })
        }
      },
    })
    await restarted
    const after = (what: (e: string) => boolean, from: number) => events.find((e) => e.at >= from && what(e.what))
    const poolDown = after((e) => e.startsWith(`pool down ${target}`), stoppedAt)
    const proberDown = after((e) => e === `prober down ${target}`, stoppedAt)
    const proberUp = after((e) => e === `prober up ${target}`, stoppedAt)
    const poolUp = after((e) => e === `pool up ${target}`, proberUp?.at ?? Infinity)
    const backAt = firstAfter(stopped.loadQueries, tl.origin + restartAt)
    const atEnd = sent()
    console.log(
      `chain, member stopped: sent ${r.sent}, answered ${r.answered}, servfail ${r.servfail}, lost ${r.lost}, wrong ${r.wrong}; ` +
        `pool down after ${((poolDown?.at ?? NaN) - stoppedAt).toFixed(0)} ms (${poolDown?.what}), prober down after ${((proberDown?.at ?? NaN) - stoppedAt).toFixed(0)} ms; ` +
        `restarted (listening ${(listeningAt - restartAt).toFixed(0)} ms after the restart began): prober up after ${((proberUp?.at ?? NaN) - listeningAt).toFixed(0)} ms, pool up after ${((poolUp?.at ?? NaN) - listeningAt).toFixed(0)} ms, ` +
        `first query to it ${backAt === undefined ? 'never' : `${(backAt - tl.origin - listeningAt).toFixed(0)} ms`} after it listened; ` +
        `sent to it while the prober held it down: ${atProberUp && atProberDown ? atProberUp.queries - atProberDown.queries : '?'} queries, ${atProberUp && atProberDown ? atProberUp.probes - atProberDown.probes : '?'} probes; ` +
        `events ${JSON.stringify(events.map((e) => `${e.at.toFixed(0)} ${e.what}`))}`,
    )
    expect(r.sent).toBe(5000)
    expect(r.wrong).toBe(0)
    expect(r.replies.filter((x) => x.by === WRONG)).toEqual([])
    // Both notice: the pool at once from the refusal, the prober after `fall` failed checks.
    expect(poolDown?.what).toMatch(/port unreachable|frozen|timeout/)
    expect(poolDown!.at - stoppedAt).toBeLessThanOrEqual(WINDOW + MARGIN)
    expect(proberDown).toBeDefined()
    expect(proberDown!.at - stoppedAt).toBeLessThanOrEqual(FALL * Math.max(INTERVAL, TIMEOUT) + TIMEOUT + MARGIN)
    // While the prober holds it down the pool sends it nothing: no query, and not its own probe
    // either (the source decides when it is back), even once it listens again.
    expect(proberUp).toBeDefined()
    expect(proberUp!.at).toBeGreaterThanOrEqual(listeningAt - 1)
    expect(atProberUp).toEqual(atProberDown)
    // Then the pool's own health must agree (its probe, or it already did): up, and asked again.
    expect(poolUp).toBeDefined()
    expect(atEnd.queries).toBeGreaterThan(atProberUp!.queries)
    expect(backAt).toBeDefined()
    expect(events.some((e) => e.what === `prober down 127.0.0.1#${good.port}`)).toBe(false)
    expect(r.answered + r.servfail).toBeGreaterThanOrEqual(r.sent * MIN_REPLIED)
  }, 30_000)
})
