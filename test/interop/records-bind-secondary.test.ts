// A BIND secondary of our primary (DnsServer + Authority({ store, update, notify })) sees each
// nsupdate change by NOTIFY + IXFR: after the update is acknowledged, BIND answers the new record
// and our transfer log shows an IXFR at the new serial. Skips without named or nsupdate.
import { execFile, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import type { TransferOutEvent } from '../../src/transfer/index.js'
import { UpdateResponder } from '../../src/records/update-responder.js'
import { ZoneStore } from '../../src/records/zone-store.js'
import { DnsServer } from '../../src/server/dns-server.js'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import { createKeyring } from '../../src/tsig/index.js'
import { stopPeer } from '../support/peers.js'
import type { RunningSecondary } from '../support/secondary-peers.js'
import { startSecondary, waitForAnswer } from '../support/secondary-peers.js'
import { exampleZone, tempDir } from '../records/helpers.js'

const have = spawnSync('named', ['-v']).error === undefined && spawnSync('nsupdate', ['-V']).error === undefined
if (!have) console.warn('skipping records-bind-secondary: named or nsupdate is not installed (apt-get install bind9 bind9-dnsutils)')
const SECRET = 'a2V5LWZvci10aGUtdHNpZy1pbnRlcm9wLXRlc3QtIQ=='

describe.skipIf(!have)('nsupdate -> our primary -> BIND secondary (NOTIFY + IXFR)', () => {
  const temp = tempDir('dns-ha-records-bind-')
  const peerDir = tempDir('dns-ha-records-bind-peer-')
  let store: ZoneStore
  let server: DnsServer
  let authority: Authority
  let peer: RunningSecondary | undefined
  let port = 0
  const events: TransferOutEvent[] = []

  beforeAll(async () => {
    const peerPort = await freeLoopbackPort()
    store = await ZoneStore.open({ dir: temp.dir, zones: [exampleZone()] })
    authority = new Authority({
      store,
      update: new UpdateResponder({ store, allowUpdate: [{ key: 'ddns-key', names: 'zonesub' }] }),
      allowTransfer: ['127.0.0.1'],
      notify: 'explicit',
      alsoNotify: [{ address: '127.0.0.1', port: peerPort }],
    })
    authority.transfer.on('transfer-out', (e) => events.push(e))
    authority.transfer.on('notify-failed', () => {})
    server = new DnsServer({ handler: authority, tsig: createKeyring([{ name: 'ddns-key', algorithm: 'hmac-sha256', secret: SECRET }]) })
    port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
    peer = await startSecondary('bind', peerDir.dir, [{ name: 'example.com', primaryPort: port }], peerPort)
  }, 30_000)
  afterAll(async () => {
    await stopPeer(peer?.child)
    await server?.close()
    await authority?.close()
    await store?.close()
    temp.cleanup()
    peerDir.cleanup()
  }, 20_000)

  it('each acknowledged update reaches BIND by IXFR', async () => {
    expect(await waitForAnswer(peer!.port, 'www.example.com.', 'A', (a) => a.rcode === 'NOERROR', 15_000), peer!.log()).toBeDefined()
    for (let i = 1; i <= 2; i++) {
      const out = await new Promise<string>((resolve) => {
        const c = execFile('nsupdate', ['-y', `hmac-sha256:ddns-key:${SECRET}`, '-t', '3'], { timeout: 15_000 }, (_e, so, se) => resolve(`${so}${se}`))
        c.stdin!.end([`server 127.0.0.1 ${port}`, 'zone example.com.', `update add dyn${i}.example.com. 60 A 192.0.2.${100 + i}`, 'send', ''].join('\n'))
      })
      expect(out).toBe('')
      const serial = store.serial('example.com.')
      const ms = await waitForAnswer(peer!.port, `dyn${i}.example.com.`, 'A', (a) => (a.answers ?? []).some((r) => r.type === 'A' && r.data === `192.0.2.${100 + i}`), 10_000)
      expect(ms, peer!.log()).toBeDefined()
      expect(events.filter((e) => e.serial === serial).map((e) => e.kind)).toContain('ixfr')
      console.log(`records -> bind: serial ${serial} served by BIND ${ms} ms after the update was acknowledged`)
    }
  }, 40_000)
})
