// The primary-side transfer interop suite, run against one secondary implementation per test file
// (transfer-primary-bind/nsd/knot.test.ts): our Authority as the primary of three zones, the peer
// as their secondary. plain.test is allowed by address; signed.test only with the TSIG key (its
// NOTIFY signed too); wrong.test is asked for with a key whose secret the peer has wrong.
// Checked: the initial AXFR, a change arriving by NOTIFY + IXFR (the kind the peer used is
// asserted from our transfer-out event, the time from the change to the peer serving it
// printed), TSIG, and the wrong key refused with nothing served.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import type { TransferOutEvent } from '../../src/transfer/index.js'
import { createKeyring } from '../../src/tsig/index.js'
import { parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/zone.js'
import { stopPeer } from '../support/peers.js'
import type { PeerKey, RunningSecondary, SecondaryKind } from '../support/secondary-peers.js'
import { askPeer, startSecondary, waitForAnswer } from '../support/secondary-peers.js'

const XFR_KEY: PeerKey = { name: 'xfr-key', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 0x5a).toString('base64') }
/** The key our server knows as bad-key; the peer is given another secret under the same name. */
const BAD_OURS: PeerKey = { name: 'bad-key', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 0x11).toString('base64') }
const BAD_THEIRS: PeerKey = { ...BAD_OURS, secret: Buffer.alloc(32, 0x22).toString('base64') }

/** Version `serial` of `origin`: NS, glue, www at `www`, and 2000 hosts so the AXFR spans several messages (each signed, for signed.test). */
export function zoneVersion(origin: string, serial: number, www: string): Zone {
  const hosts = Array.from({ length: 2000 }, (_, i) => `host${i} 300 IN A 10.0.${i >> 8}.${i & 255}`).join('\n')
  return parseZone(`$TTL 300\n@ IN SOA ns1 hostmaster ${serial} 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A ${www}\n${hosts}\n`, { origin })
}

const BINARIES: Record<SecondaryKind, string[]> = { bind: ['named', '-v'], nsd: ['nsd', '-v'], knot: ['knotd', '-V'] }

export function transferPrimarySuite(kind: SecondaryKind): void {
  const [bin, ...versionArgs] = BINARIES[kind]
  const have = spawnSync(bin!, versionArgs).status === 0
  if (!have) console.warn(`skipping transfer-primary-${kind}: ${bin} is not installed`)

  describe.skipIf(!have)(`our primary -> ${kind} secondary`, () => {
    let dir = ''
    let peer: RunningSecondary | undefined
    const servers: DnsServer[] = []
    const authorities: Authority[] = []
    const events: TransferOutEvent[] = []
    const acks: { zone: string; serial: number; aa: boolean }[] = []
    let byAddress: Authority
    let byKey: Authority
    let keyServer: DnsServer
    const listening = new Map<DnsServer, number>()
    const portOf = (server: DnsServer): number => listening.get(server)!

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `dns-ha-xfr-${kind}-`))
      const peerPort = await freeLoopbackPort()
      const keyring = createKeyring([XFR_KEY, BAD_OURS])
      byAddress = new Authority({ zones: [zoneVersion('plain.test.', 1, '192.0.2.10')], allowTransfer: ['127.0.0.1'], notify: 'explicit', alsoNotify: [{ address: '127.0.0.1', port: peerPort }] })
      byKey = new Authority({
        zones: [zoneVersion('signed.test.', 1, '192.0.2.20'), zoneVersion('wrong.test.', 1, '192.0.2.30')],
        allowTransfer: ['key:xfr-key', 'key:bad-key'],
        notify: [{ address: '127.0.0.1', port: peerPort, key: 'xfr-key' }],
        tsig: keyring,
      })
      const ports: number[] = []
      for (const auth of [byAddress, byKey]) {
        authorities.push(auth)
        auth.transfer.on('transfer-out', (e) => events.push(e))
        auth.transfer.on('notify-acked', (e) => acks.push({ zone: e.zone, serial: e.serial, aa: e.aa }))
        auth.transfer.on('notify-failed', () => {})
        const server = new DnsServer({ handler: auth, tsig: keyring })
        servers.push(server)
        const port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
        listening.set(server, port)
        ports.push(port)
      }
      keyServer = servers[1]!
      peer = await startSecondary(kind, dir, [
        { name: 'plain.test', primaryPort: ports[0]! },
        { name: 'signed.test', primaryPort: ports[1]!, key: XFR_KEY },
        { name: 'wrong.test', primaryPort: ports[1]!, key: BAD_THEIRS },
      ], peerPort)
    }, 30_000)

    afterAll(async () => {
      await stopPeer(peer?.child)
      for (const s of servers) await s.close()
      for (const a of authorities) await a.close()
      if (dir) rmSync(dir, { recursive: true, force: true })
    }, 20_000)

    const serves = (name: string, address: string) => (answer: Awaited<ReturnType<typeof askPeer>> & object) =>
      answer.rcode === 'NOERROR' && (answer.answers ?? []).some((a) => a.type === 'A' && a.data === address)

    it('takes the zones by AXFR at start (plain by address, signed with TSIG)', async () => {
      const plain = await waitForAnswer(peer!.port, 'www.plain.test.', 'A', serves('www.plain.test', '192.0.2.10'), 15_000)
      const signed = await waitForAnswer(peer!.port, 'www.signed.test.', 'A', serves('www.signed.test', '192.0.2.20'), 15_000)
      expect(plain, peer!.log()).toBeDefined()
      expect(signed, peer!.log()).toBeDefined()
      const first = (zone: string) => events.find((e) => e.zone === zone)
      expect(first('plain.test.')).toMatchObject({ kind: 'axfr', serial: 1, records: 2005 })
      expect(first('signed.test.')).toMatchObject({ kind: 'axfr', serial: 1, keyName: 'xfr-key.', records: 2005 })
      expect(first('signed.test.')!.messages).toBeGreaterThan(1)
      console.log(`${kind}: initial transfers ${events.map((e) => `${e.zone} ${e.requested}->${e.kind} ${e.records} records ${e.messages} messages`).join('; ')}`)
    }, 30_000)

    for (const [zone, www, auth] of [['plain.test.', '192.0.2.11', () => byAddress], ['signed.test.', '192.0.2.21', () => byKey]] as const) {
      it(`gets a change of ${zone} by NOTIFY + IXFR`, async () => {
        await waitForAnswer(peer!.port, `www.${zone}`, 'A', (a) => a.rcode === 'NOERROR', 15_000)
        const before = events.length
        const started = Date.now()
        auth().replaceZone(zoneVersion(zone, 2, www))
        const ms = await waitForAnswer(peer!.port, `www.${zone}`, 'A', serves(`www.${zone}`, www), 10_000)
        expect(ms, peer!.log()).toBeDefined()
        const out = events.slice(before).filter((e) => e.zone === zone && e.serial === 2)
        console.log(`${kind}: ${zone} serial 1 -> 2 served by the secondary ${Date.now() - started} ms after the change; transfers: ${out.map((e) => `${e.requested}->${e.kind} (${e.records} records${e.keyName ? `, key ${e.keyName}` : ''})`).join(', ')}; NOTIFY acks: ${JSON.stringify(acks.filter((a) => a.zone === zone))}`)
        expect(out.map((e) => e.kind)).toContain('ixfr')
        expect(acks.some((a) => a.zone === zone && a.serial === 2)).toBe(true)
        if (zone === 'signed.test.') expect(out.every((e) => e.keyName === 'xfr-key.')).toBe(true)
      }, 20_000)
    }

    it('answers AXFR over UDP as the peer does (printed; asserted against BIND)', async () => {
      const theirs = await askPeer(peer!.port, 'plain.test.', 'AXFR')
      const ours = await askPeer(portOf(servers[0]!), 'plain.test.', 'AXFR')
      console.log(`${kind}: AXFR over UDP -> ${kind} ${theirs?.rcode ?? 'no answer'}, ours ${ours?.rcode}`)
      expect(ours?.rcode).toBe('FORMERR')
      if (kind === 'bind') expect(theirs?.rcode).toBe(ours?.rcode)
    })

    it('with the wrong key it gets nothing: we answer NOTAUTH/BADSIG and it serves no wrong.test', async () => {
      // The peer has had the whole start-up and the tests above to try.
      const deadline = Date.now() + 2000
      while (keyServer.snapshot().tsig.badSig === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(keyServer.snapshot().tsig.badSig).toBeGreaterThan(0)
      expect(events.filter((e) => e.zone === 'wrong.test.')).toEqual([])
      const answer = await askPeer(peer!.port, 'www.wrong.test.', 'A')
      expect(answer?.rcode).not.toBe('NOERROR')
      console.log(`${kind}: wrong key -> our BADSIG count ${keyServer.snapshot().tsig.badSig}, the secondary answers www.wrong.test ${answer?.rcode}`)
    }, 20_000)
  })
}
