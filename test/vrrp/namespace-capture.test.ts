// Captures in network namespaces, read by an independent dissector (tshark) and by our codec:
// keepalived's own adverts (VRRPv2 PASS and VRRPv3 over IPv4, VRRPv3 over IPv6) decode with
// decodeVrrpPacket to the fields its keepalived.conf says; our IPv6 adverts decode in tshark as
// VRRPv3 with a good checksum and hop limit 255; our unsolicited NA decodes as an ICMPv6 NA; and
// LinuxVip sends keepalived's second gratuitous ARP burst 5 s after the first. Root only; skips
// with a printed reason otherwise. Set DNSHA_WRITE_FIXTURES=1 to (re)write the hex fixtures the
// unit test test/vrrp/captured-keepalived.test.ts decodes.
import { execFile, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeVrrpPacket } from '../../src/vrrp/packet.js'
import { haveKeepalived, Lab, labUnavailable, VIP6, type Host, type Speaker, type SpeakerOptions } from './netns.js'
import { readPcap, splitIpPacket } from './pcap.js'

const exec = promisify(execFile)
const unavailable = labUnavailable()
if (unavailable) console.warn(`skipping the VRRP capture tests: ${unavailable}`)
const noTshark = !unavailable && (spawnSync('tshark', ['-v']).error !== undefined || spawnSync('dumpcap', ['-v']).error !== undefined)
if (noTshark) console.warn('skipping the VRRP capture tests: tshark or dumpcap is not installed (apt-get install tshark)')
const noKeepalived = !unavailable && !noTshark && !haveKeepalived()
if (noKeepalived) console.warn('skipping the keepalived captures: keepalived is not installed (apt-get install keepalived)')
const STARTUP = 10_000

let lab: Lab
let dir: string
beforeAll(async () => {
  if (unavailable || noTshark) return
  lab = await Lab.create()
  dir = mkdtempSync(join(tmpdir(), 'dnsha-cap-'))
})
afterAll(async () => {
  await lab?.destroy()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Starts dumpcap on `host`'s veth (classic pcap), resolves once it captures; the returned promise ends with the capture. */
async function capture(host: Host, name: string, filter: string, stop: string[]): Promise<{ file: string; done: Promise<void> }> {
  const file = join(dir, `${name}.pcap`)
  const child = spawn('ip', ['netns', 'exec', host.ns, 'dumpcap', '-q', '-P', '-i', host.dev, ...stop.flatMap((s) => (s.startsWith('packets:') ? ['-c', s.slice(8)] : ['-a', s])), '-f', filter, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let err = ''
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 10_000)
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      if (!err.includes('Capturing on')) return
      clearTimeout(t)
      resolve()
    })
    child.once('exit', () => {
      clearTimeout(t)
      reject(new Error(`dumpcap exited: ${err}`))
    })
  })
  return { file, done }
}

const tshark = async (file: string, fields: string[]): Promise<string[][]> => {
  const { stdout } = await exec('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=;', ...fields.flatMap((f) => ['-e', f])], { timeout: 30_000 })
  return stdout.trim().split('\n').filter(Boolean).map((l) => l.split(';'))
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe.skipIf(unavailable !== undefined || noTshark)('VRRP captures in network namespaces', () => {
  describe.skipIf(noKeepalived)("keepalived's adverts, captured, decode with decodeVrrpPacket", () => {
    const kinds: { name: string; o: Omit<SpeakerOptions, 'vrid' | 'vip'>; v6?: boolean }[] = [
      { name: 'keepalived-v2-pass', o: { priority: 150, version: 2, advertIntervalMs: 1000, password: 'dnsha' } },
      { name: 'keepalived-v3-ipv4', o: { priority: 150, version: 3, advertIntervalMs: 1000 } },
      { name: 'keepalived-v3-ipv6', o: { priority: 150, version: 3, advertIntervalMs: 1000 }, v6: true },
    ]
    for (const kind of kinds) {
      it(kind.name, async () => {
        const vip = kind.v6 ? VIP6 : lab.vip
        const cap = await capture(lab.b, kind.name, kind.v6 ? 'ip6 proto 112' : 'ip proto 112', ['packets:2', 'duration:20'])
        let speaker: Speaker | undefined
        try {
          speaker = lab.startKeepalived(lab.a, { ...kind.o, vrid: lab.vrid, vip })
          await cap.done
        } finally {
          await speaker?.stop()
        }
        const { linktype, frames } = readPcap(readFileSync(cap.file))
        expect(linktype).toBe(1) // Ethernet
        expect(frames.length).toBeGreaterThan(0)
        const packet = frames[0]!.subarray(14)
        const ip = splitIpPacket(packet)!
        expect(ip.protocol).toBe(112)
        expect(ip.ttl).toBe(255)
        const source = kind.v6 ? await lab.linkLocal(lab.a) : lab.a.address
        expect(ip.source).toBe(source)
        expect(ip.destination).toBe(kind.v6 ? 'ff02::12' : '224.0.0.18')
        const decoded = decodeVrrpPacket(ip.payload, { source: ip.source, destination: ip.destination })
        expect(decoded).toEqual({
          ok: true,
          packet: { version: kind.o.version, vrid: lab.vrid, priority: 150, advertIntervalMs: 1000, addresses: [vip], ...(kind.o.version === 2 ? { auth: kind.o.password ? { type: 'pass', password: kind.o.password } : { type: 'none' } } : {}) },
        })
        if (process.env.DNSHA_WRITE_FIXTURES === '1') {
          const fixture = fileURLToPath(new URL(`./fixtures/${kind.name}.hex`, import.meta.url))
          writeFileSync(fixture, `${hex(packet)}\n`)
          console.info(`wrote ${fixture}: vrid ${lab.vrid}, source ${source}`)
        }
      }, 60_000)
    }
  })

  it('our IPv6 adverts are VRRPv3 with a good checksum and hop limit 255 from our link-local address; our unsolicited NA is an ICMPv6 NA with Override for the VIP', async () => {
    const cap = await capture(lab.b, 'dns-ha-ipv6', 'ip6 proto 112 or icmp6', ['duration:8'])
    let router: Speaker | undefined
    try {
      router = lab.startDnsHa(lab.a, { vrid: lab.vrid, priority: 150, version: 3, advertIntervalMs: 100, vip: VIP6 })
      await lab.waitHolders(VIP6, ['a'], STARTUP + 1000, 'capture: IPv6 VIP up', [router])
      await cap.done
    } finally {
      await router?.stop()
    }
    const ours = await lab.linkLocal(lab.a)
    const link = (await exec('ip', ['-n', lab.a.ns, '-j', 'link', 'show', 'dev', lab.a.dev])).stdout
    const address = (JSON.parse(link) as { address: string }[])[0]!.address
    const rows = await tshark(cap.file, ['ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'vrrp.version', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.checksum.status', 'vrrp.ipv6_addr', 'icmpv6.type', 'icmpv6.checksum.status', 'icmpv6.nd.na.flag.o', 'icmpv6.nd.na.target_address', 'icmpv6.opt.linkaddr', 'eth.dst'])
    const adverts = rows.filter((r) => r[3] === '3')
    const nas = rows.filter((r) => r[8] === '136' && r[11] === VIP6)
    expect(adverts.length).toBeGreaterThan(5)
    // tshark's checksum status: 0 bad, 1 good, 2 unverified.
    for (const r of adverts) expect(r.slice(0, 8)).toEqual([ours, 'ff02::12', '255', '3', String(lab.vrid), '150', '1', VIP6])
    // One burst of 5 (garp_master_repeat); the second comes 5 s later, likely after the capture ends.
    expect([5, 10]).toContain(nas.length)
    // Override flag: tshark prints booleans as 1 or True depending on its version.
    for (const r of nas) expect([r[0], r[1], r[2], r[9], r[10] === 'True' ? '1' : r[10], r[12], r[13]]).toEqual([VIP6, 'ff02::1', '255', '1', '1', address, '33:33:00:00:00:01'])
  }, 60_000)

  it("LinuxVip sends keepalived's second gratuitous ARP burst garp_master_delay (5 s) after the first", async () => {
    const cap = await capture(lab.b, 'garp-delay', 'arp', ['duration:16'])
    let router: Speaker | undefined
    try {
      router = lab.startDnsHa(lab.a, { vrid: lab.vrid, priority: 150, version: 3, advertIntervalMs: 100, vip: lab.vip })
      await lab.waitHolders(lab.vip, ['a'], STARTUP + 1000, 'capture: VIP up', [router])
      await cap.done
    } finally {
      await router?.stop()
    }
    const rows = await tshark(cap.file, ['frame.time_epoch', 'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4'])
    const garps = rows.filter((r) => r[1] === '1' && r[2] === lab.vip && r[3] === lab.vip).map((r) => Number(r[0]) * 1000)
    expect(garps.length).toBe(10)
    const gap = garps[5]! - garps[4]!
    expect(gap).toBeGreaterThanOrEqual(4900)
    expect(gap).toBeLessThan(6000)
    console.info(`second gratuitous ARP burst ${Math.round(garps[5]! - garps[0]!)} ms after the first`)
  }, 60_000)
})
