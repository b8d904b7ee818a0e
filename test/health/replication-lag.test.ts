// The stale secondary, end to end on loopback: a primary Authority (allowTransfer 127.0.0.1,
// alsoNotify to the secondary) and a secondary Authority holding a SecondaryZone, each behind a
// DnsServer. A HealthProber runs soaSerialCheck on the secondary against the primary. The
// secondary follows (up); its transfers are then refused by the primary's transfer ACL (the real
// path: it still answers every query, and NOTIFY still reaches it, but IXFR/AXFR get REFUSED);
// the primary's serial is raised several times; the check must mark it down within
// graceMs + (fall - 1) × interval + timeout (plus a stated margin for loopback scheduling), printed. The
// ACL is restored and one more change made: the secondary catches up by NOTIFY + IXFR and the
// check brings it back up after `rise` passes. Real clock: bounds are generous, not speed targets.
import { afterEach, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { HealthProber } from '../../src/health/prober.js'
import { soaSerialCheck } from '../../src/health/soa-serial-check.js'
import type { HealthResultEvent } from '../../src/health/types.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import { SecondaryZone } from '../../src/transfer/secondary-zone.js'
import type { SecondaryFailedEvent, SecondaryTransferredEvent } from '../../src/transfer/secondary-zone.js'
import type { TransferRefusedEvent } from '../../src/transfer/transfer-primary.js'
import { parseZone } from '../../src/zone/index.js'
import { waitFor } from '../support/wait-for.js'

const ORIGIN = 'lag.test.'
const INTERVAL_MS = 100
const TIMEOUT_MS = 500
const FALL = 2
const RISE = 2
const GRACE_MS = 600
/** Loopback scheduling slack on a shared 2-core machine (the bound is a state assertion, not a speed target). */
const MARGIN_MS = 1500

// refresh and retry 3600 s: after the first load only a NOTIFY can make the secondary look again.
function version(serial: number): ReturnType<typeof parseZone> {
  return parseZone(`$TTL 60\n@ SOA ns1 hostmaster ${serial} 3600 3600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.${serial % 250}\n`, { origin: ORIGIN })
}


const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

describe('soaSerialCheck against a real primary and secondary (replication lag)', () => {
  it('marks a secondary whose transfers are refused down within graceMs, and up again once it catches up by NOTIFY + IXFR', async () => {
    const secondaryPort = await freeLoopbackPort()
    const primary = new Authority({ zones: [version(1)], allowTransfer: ['127.0.0.1'], notify: 'explicit', alsoNotify: [{ address: '127.0.0.1', port: secondaryPort }] })
    const refused: TransferRefusedEvent[] = []
    primary.transfer.on('transfer-refused', (e) => refused.push(e))
    primary.transfer.on('notify-failed', () => {})
    const primaryServer = new DnsServer({ handler: primary })
    const primaryPort = (await primaryServer.listen({ port: 0, address: '127.0.0.1' })).port
    closers.push(() => primaryServer.close())

    const zone = new SecondaryZone({ origin: ORIGIN, primaries: [{ address: '127.0.0.1', port: primaryPort }], timers: { minRefreshSec: 0, minRetrySec: 0 }, queryTimeoutMs: 500 })
    const transferred: SecondaryTransferredEvent[] = []
    const failed: SecondaryFailedEvent[] = []
    zone.on('transferred', (e) => transferred.push(e))
    zone.on('failed', (e) => failed.push(e))
    const secondaryServer = new DnsServer({ handler: new Authority({ secondaries: [zone] }) })
    await secondaryServer.listen({ port: secondaryPort, address: '127.0.0.1' })
    closers.push(() => secondaryServer.close())
    await waitFor('the first transfer', () => (zone.serial === 1 ? true : undefined))
    expect(transferred[0]).toMatchObject({ serial: 1, kind: 'axfr' })

    const prober = new HealthProber()
    closers.push(() => prober.close())
    const results: (HealthResultEvent & { at: number })[] = []
    prober.on('result', (e) => results.push({ ...e, at: Date.now() }))
    const transitions: { state: string; at: number; reason: string }[] = []
    prober.on('change', (e) => transitions.push({ state: e.state, at: Date.now(), reason: e.reason }))
    prober.add({
      name: 'secondary',
      check: soaSerialCheck({ server: { address: '127.0.0.1', port: secondaryPort }, zone: ORIGIN, reference: { address: '127.0.0.1', port: primaryPort }, maxLag: 10, graceMs: GRACE_MS }),
      intervalMs: INTERVAL_MS,
      timeoutMs: TIMEOUT_MS,
      fall: FALL,
      rise: RISE,
      initialState: 'unknown',
    })
    // Following: up.
    await waitFor('the secondary up', () => (prober.state('secondary') === 'up' ? true : undefined))

    // A change while following travels by NOTIFY + IXFR, and the check stays up.
    primary.replaceZone(version(2))
    await waitFor('serial 2 on the secondary', () => (zone.serial === 2 ? true : undefined))
    expect(transferred.at(-1)).toMatchObject({ serial: 2, kind: 'ixfr' })
    expect(transitions.filter((t) => t.state === 'down')).toEqual([])

    // Block: the primary's transfer ACL no longer admits the secondary. Three changes follow.
    primary.transfer.setAllowTransfer(['!127.0.0.1'])
    const blockedAt = Date.now()
    for (const serial of [3, 4, 5]) primary.replaceZone(version(serial))
    const down = await waitFor('the secondary down', () => transitions.find((t) => t.state === 'down' && t.at >= blockedAt))
    const detectMs = down.at - blockedAt
    const bound = GRACE_MS + (FALL - 1) * INTERVAL_MS + TIMEOUT_MS + INTERVAL_MS
    console.log(`replication lag: secondary marked down ${detectMs} ms after its transfers were blocked and serial 5 published (graceMs ${GRACE_MS}, fall ${FALL} x ${INTERVAL_MS} ms, timeout ${TIMEOUT_MS} ms; bound ${bound} + ${MARGIN_MS} ms margin): ${down.reason}`)
    // Not before the grace time: lag alone (3 < maxLag 10) must wait out graceMs.
    expect(detectMs).toBeGreaterThanOrEqual(GRACE_MS)
    expect(detectMs).toBeLessThanOrEqual(bound + MARGIN_MS)
    expect(down.reason).toMatch(/serial 2 at 127\.0\.0\.1#\d+ is 3 behind reference 5 for \d+ ms \(graceMs 600\)/)
    // The block was real: the secondary was notified, asked, and was refused; it still serves serial 2.
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every((e) => e.client.address === '127.0.0.1' && e.zone === 'lag.test.')).toBe(true)
    expect(failed.length).toBeGreaterThan(0)
    expect(zone.serial).toBe(2)
    expect(prober.state('secondary')).toBe('down')

    // Unblock and change once more: NOTIFY + IXFR from 2 to 6 (the journal holds 3, 4, 5, 6).
    primary.transfer.setAllowTransfer(['127.0.0.1'])
    const unblockedAt = Date.now()
    primary.replaceZone(version(6))
    await waitFor('serial 6 on the secondary', () => (zone.serial === 6 ? true : undefined))
    expect(transferred.at(-1)).toMatchObject({ serial: 6, previousSerial: 2, kind: 'ixfr' })
    const up = await waitFor('the secondary up again', () => transitions.find((t) => t.state === 'up' && t.at >= unblockedAt))
    const upMs = up.at - unblockedAt
    const passesBeforeUp = results.filter((r) => r.at >= unblockedAt && r.at <= up.at && r.ok).length
    console.log(`replication lag: caught up by ${transferred.at(-1)!.kind} (${transferred.at(-1)!.ms} ms transfer); marked up ${upMs} ms after the unblock, after ${passesBeforeUp} passing checks (rise ${RISE})`)
    expect(passesBeforeUp).toBeGreaterThanOrEqual(RISE)
    expect(upMs).toBeLessThanOrEqual(RISE * INTERVAL_MS + TIMEOUT_MS + MARGIN_MS)
    expect(up.reason).toMatch(/serial 6 .* reference 6/)
  }, 30_000)
})
