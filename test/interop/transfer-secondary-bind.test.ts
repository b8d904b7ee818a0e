// BIND (named) as the primary, our SecondaryZone behind a DnsServer as the secondary: the first
// AXFR, a change reaching us by NOTIFY + IXFR (BIND's reload to our answer, printed), TSIG on
// every query and transfer, a wrong key refused with the old copy kept, a restart from stateDir
// serving at once, and expire -> SERVFAIL when BIND is gone. Skips when named is not installed.
import { spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { query } from '../../src/client/query.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import type { TsigKey } from '../../src/tsig/key.js'
import { SecondaryZone } from '../../src/transfer/secondary-zone.js'
import type { SecondaryFailedEvent, SecondaryTransferredEvent } from '../../src/transfer/secondary-zone.js'
import { namedPrimaryConf, startNamed, stopPeer } from '../support/peers.js'
import { waitFor } from '../support/wait-for.js'

const haveNamed = spawnSync('named', ['-v']).error === undefined
if (!haveNamed) console.warn('skipping BIND primary -> dns-ha secondary interop: named is not installed (apt-get install bind9)')

const ORIGIN = 'example.test.'
const KEY: TsigKey = { name: 'xfr-key', algorithm: 'hmac-sha256', secret: 'c2VjcmV0LWZvci10aGUtdHJhbnNmZXItaW50ZXJvcC0xMjM0NTY=' }
const WRONG: TsigKey = { ...KEY, secret: 'd3Jvbmctc2VjcmV0LWZvci10aGUtdHJhbnNmZXItaW50ZXJvcA==' }

function zoneText(serial: number, soaTimers: string, extra = ''): string {
  return `$TTL 60\n@ SOA ns1 hostmaster ${serial} ${soaTimers}\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.10\n${extra}\n`
}

let dir = ''
let namedPort = 0
let named: ChildProcess | undefined
let server: DnsServer | undefined
let secondary: SecondaryZone | undefined
const transferred: SecondaryTransferredEvent[] = []
const failed: SecondaryFailedEvent[] = []
let ourPort = 0


async function ask(port: number, name: string, type = 'A'): Promise<{ rcode: string; data: string[] }> {
  const r = await query({ address: '127.0.0.1', port }, { name, type }, { timeoutMs: 1000, retries: 1, recursionDesired: false })
  const p = r.packet as { rcode?: string; answers?: { data?: unknown }[] }
  return { rcode: p.rcode ?? 'NOERROR', data: (p.answers ?? []).map((a) => (typeof a.data === 'object' ? JSON.stringify(a.data) : String(a.data))) }
}

function newSecondary(stateDir: string, key: TsigKey, port: number, timers = { minRefreshSec: 0, minRetrySec: 0 }): SecondaryZone {
  return new SecondaryZone({ origin: ORIGIN, primaries: [{ address: '127.0.0.1', port }], tsig: key, stateDir, timers, queryTimeoutMs: 500 })
}

describe.skipIf(!haveNamed)('BIND primary -> dns-ha secondary', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dns-ha-xfr-bind-'))
    writeFileSync(join(dir, 'db.example.test'), zoneText(1, '3600 1 3600 60'))
    // named's also-notify names our port: start ours first (its first check fails until named is up).
    namedPort = await freeLoopbackPort()
    secondary = newSecondary(join(dir, 'state'), KEY, namedPort)
    secondary.on('transferred', (e) => transferred.push(e))
    secondary.on('failed', (e) => failed.push(e))
    server = new DnsServer({ handler: new Authority({ secondaries: [secondary] }) })
    ourPort = (await server.listen({ port: 0, address: '127.0.0.1' })).port
    const conf = join(dir, 'named.conf')
    writeFileSync(conf, namedPrimaryConf({ port: namedPort, dir, zones: [{ name: 'example.test', file: join(dir, 'db.example.test') }], notify: [{ address: '127.0.0.1', port: ourPort }], key: { name: KEY.name, algorithm: KEY.algorithm, secret: KEY.secret as string } }))
    named = await startNamed(conf, namedPort, ORIGIN)
    if (transferred.length === 0) await secondary.refresh()
  }, 30_000)

  afterAll(async () => {
    await server?.close()
    secondary?.stop()
    await stopPeer(named)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('takes the zone by AXFR, signed with the key', async () => {
    await waitFor('the first transfer', () => transferred[0])
    expect(transferred[0]).toMatchObject({ kind: 'axfr', serial: 1 })
    expect(await ask(ourPort, 'www.example.test.')).toEqual({ rcode: 'NOERROR', data: ['192.0.2.10'] })
  })

  it('gets a change by NOTIFY + IXFR and serves it (time printed)', async () => {
    writeFileSync(join(dir, 'db.example.test'), zoneText(2, '3600 1 3600 60', 'new A 192.0.2.99'))
    const before = transferred.length
    const reloaded = Date.now()
    named!.kill('SIGHUP')
    const event = await waitFor('the IXFR', () => transferred[before])
    let answer = await ask(ourPort, 'new.example.test.')
    while (answer.data.length === 0 && Date.now() - reloaded < 5000) answer = await ask(ourPort, 'new.example.test.')
    const served = Date.now() - reloaded
    console.log(`BIND reload (SIGHUP) -> dns-ha secondary serving serial 2: ${served} ms (transfer ${event.ms} ms, ${event.kind}, ${event.records} records)`)
    expect(event).toMatchObject({ kind: 'ixfr', serial: 2 })
    // refresh is 3600 s: only the NOTIFY can have brought it this soon.
    expect(served).toBeLessThan(5000)
    expect(answer).toEqual({ rcode: 'NOERROR', data: ['192.0.2.99'] })
  })

  it('refuses a primary answering with another key, keeping the old copy', async () => {
    const copy = join(dir, 'state-wrong')
    cpSync(join(dir, 'state'), copy, { recursive: true })
    const wrong = newSecondary(copy, WRONG, namedPort)
    const reasons: SecondaryFailedEvent[] = []
    wrong.on('failed', (e) => reasons.push(e))
    const auth = new Authority({ secondaries: [wrong] })
    await auth.start()
    await waitFor('the failure', () => reasons[0])
    wrong.stop()
    expect(reasons[0]!.reason).toMatch(/TSIG/)
    expect(wrong.serial).toBe(2)
    expect(wrong.zone).toBeDefined()
  })

  it('restarts from stateDir and serves the last copy at once, the primary unreachable', async () => {
    const copy = join(dir, 'state-restart')
    cpSync(join(dir, 'state'), copy, { recursive: true })
    const restarted = newSecondary(copy, KEY, await freeLoopbackPort())
    restarted.on('failed', () => {})
    const again = new DnsServer({ handler: new Authority({ secondaries: [restarted] }) })
    const port = (await again.listen({ port: 0, address: '127.0.0.1' })).port
    try {
      expect(await ask(port, 'new.example.test.')).toEqual({ rcode: 'NOERROR', data: ['192.0.2.99'] })
    } finally {
      await again.close()
    }
  })

  it('expires when BIND is gone past the SOA expire: SERVFAIL', async () => {
    writeFileSync(join(dir, 'db.example.test'), zoneText(3, '1 1 3 60', 'new A 192.0.2.99'))
    const before = transferred.length
    named!.kill('SIGHUP')
    await waitFor('serial 3', () => transferred.slice(before).find((e) => e.serial === 3))
    let expiredAt = 0
    secondary!.on('expired', () => (expiredAt = Date.now()))
    const stopped = Date.now()
    await stopPeer(named)
    await waitFor('expiry', () => (expiredAt > 0 ? expiredAt : undefined), 10_000)
    console.log(`BIND stopped -> our secondary expired after ${expiredAt - stopped} ms (SOA expire 3 s)`)
    expect(await ask(ourPort, 'www.example.test.')).toMatchObject({ rcode: 'SERVFAIL' })
  }, 20_000)
})
