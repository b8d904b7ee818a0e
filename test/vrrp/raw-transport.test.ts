// RawTransport against a fake host: what it asks of the socket, the IP header it writes, what it
// hands the router from what the kernel delivers, and its errors. The real socket is exercised
// by test/vrrp/namespace.test.ts.
import { describe, expect, it } from 'vitest'
import { isDnsHaError } from '../../src/util/errors.js'
import { encodeIpv4Datagram, parseIpv4Datagram } from '../../src/vrrp/ipv4.js'
import { encodeVrrpPacket } from '../../src/vrrp/packet.js'
import { RawTransport } from '../../src/vrrp/raw-transport.js'
import { VrrpRouter } from '../../src/vrrp/router.js'
import type { VrrpInbound } from '../../src/vrrp/transport.js'
import { MemoryVipActions } from '../../src/vrrp/vip-actions.js'
import { eth0, FakeHost, type FakeRawSocket, type FakeRawSocket6 } from './fake-host.js'

async function opened(options: Partial<ConstructorParameters<typeof RawTransport>[0]> = {}) {
  const host = new FakeHost([eth0])
  const transport = new RawTransport({ interface: 'eth0', host, ...options })
  const got: VrrpInbound[] = []
  await transport.open((m) => got.push(m))
  return { host, transport, got, socket: host.sockets[0] as FakeRawSocket }
}

describe('RawTransport', () => {
  it('defaults localAddress to the interface primary address and joins 224.0.0.18 on it', async () => {
    const { transport, socket } = await opened()
    expect(transport.localAddress).toBe('192.0.2.10')
    expect(transport.unicastOnly).toBe(false)
    expect(socket.options).toEqual({ interface: eth0, protocol: 112, localAddress: '192.0.2.10', multicastGroup: '224.0.0.18' })
  })

  it('with multicast false joins no group and asks the router for unicast peers', async () => {
    const { transport, socket } = await opened({ multicast: false, localAddress: '192.0.2.11' })
    expect(transport.unicastOnly).toBe(true)
    expect(socket.options.multicastGroup).toBeUndefined()
    expect(socket.options.localAddress).toBe('192.0.2.11')
    expect(() => new VrrpRouter({ vrid: 1, priority: 100, vips: ['192.0.2.100'], transport })).toThrow(/unicastPeers/)
  })

  it('sends the advert inside an IPv4 header from localAddress with TTL 255, protocol 112', async () => {
    const { transport, socket } = await opened()
    const advert = Uint8Array.of(0x31, 7, 100, 1, 0, 100, 0, 0, 192, 0, 2, 100)
    const errors: Error[] = []
    transport.send(advert, '224.0.0.18', (e) => errors.push(e))
    transport.send(advert, '192.0.2.20', (e) => errors.push(e))
    expect(errors).toEqual([])
    expect(socket.sent.map((s) => s.destination)).toEqual(['224.0.0.18', '192.0.2.20'])
    const ip = parseIpv4Datagram(socket.sent[0]!.datagram)!
    expect(ip).toMatchObject({ source: '192.0.2.10', destination: '224.0.0.18', ttl: 255, protocol: 112 })
    expect([...ip.payload]).toEqual([...advert])
    // Each datagram gets the next IP id.
    expect(socket.sent.map((s) => (s.datagram[4]! << 8) | s.datagram[5]!)).toEqual([1, 2])
  })

  it('reports a failed send to onError, never throws', async () => {
    const { transport, socket } = await opened()
    socket.failSend = new Error('sendto 224.0.0.18: Network is unreachable')
    const errors: Error[] = []
    expect(() => transport.send(new Uint8Array(8), '224.0.0.18', (e) => errors.push(e))).not.toThrow()
    expect(errors.map((e) => e.message)).toEqual(['sendto 224.0.0.18: Network is unreachable'])
  })

  it('hands the router the VRRP part with source, destination and TTL; drops the rest', async () => {
    const { socket, got } = await opened()
    const vrrp = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
    socket.inject(encodeIpv4Datagram(vrrp, '192.0.2.20', '224.0.0.18', 112, 255))
    socket.inject(encodeIpv4Datagram(vrrp, '192.0.2.20', '192.0.2.10', 112, 254)) // unicast to us, TTL left for the router to judge
    socket.inject(encodeIpv4Datagram(vrrp, '192.0.2.20', '192.0.2.99', 112)) // to another host
    socket.inject(encodeIpv4Datagram(vrrp, '192.0.2.20', '224.0.0.18', 17)) // not VRRP
    socket.inject(Uint8Array.of(0x45, 0, 0)) // malformed
    socket.inject(new Uint8Array(0))
    expect(got).toEqual([
      { bytes: vrrp, source: '192.0.2.20', destination: '224.0.0.18', ttl: 255 },
      { bytes: vrrp, source: '192.0.2.20', destination: '192.0.2.10', ttl: 254 },
    ])
  })

  it('in unicast mode ignores adverts to the multicast group', async () => {
    const { socket, got } = await opened({ multicast: false })
    socket.inject(encodeIpv4Datagram(new Uint8Array(8), '192.0.2.20', '224.0.0.18', 112))
    expect(got).toEqual([])
  })

  it('a second open keeps the one socket', async () => {
    const { transport, host } = await opened()
    await transport.open(() => {})
    expect(host.sockets).toHaveLength(1)
  })

  it('closes the socket, and sends nothing after close', async () => {
    const { transport, socket } = await opened()
    await transport.close()
    expect(socket.closed).toBe(true)
    transport.send(new Uint8Array(8), '224.0.0.18', () => {})
    expect(socket.sent).toEqual([])
  })

  it('throws DnsHaError ERR_VRRP_INTERFACE for a missing interface or one without IPv4', () => {
    const host = new FakeHost([{ ...eth0, name: 'eth1', ipv4: [] }])
    const missing = (() => {
      try {
        new RawTransport({ interface: 'eth9', host })
      } catch (e) {
        return e
      }
    })()
    expect(isDnsHaError(missing, 'ERR_VRRP_INTERFACE')).toBe(true)
    expect((missing as Error).message).toMatch(/eth9/)
    expect(() => new RawTransport({ interface: 'eth1', host })).toThrow(expect.objectContaining({ code: 'ERR_VRRP_INTERFACE', message: expect.stringMatching(/no IPv4 address/) }))
    expect(new RawTransport({ interface: 'eth1', host, localAddress: '192.0.2.5' }).localAddress).toBe('192.0.2.5')
    expect(() => new RawTransport({ interface: 'eth1', host, localAddress: '2001:db8::1' })).toThrow(expect.objectContaining({ code: 'ERR_VRRP_CONFIG', message: expect.stringMatching(/not link-local/) }))
    expect(() => new RawTransport({ interface: 'eth1', host, family: 4, localAddress: 'fe80::1' })).toThrow(expect.objectContaining({ code: 'ERR_VRRP_CONFIG', message: expect.stringMatching(/not an IPv4 address/) }))
  })

  it('a router over it: opening failure surfaces as ERR_VRRP_TRANSPORT with the cause, and adverts go out and come in', async () => {
    const host = new FakeHost([eth0])
    host.openError = new Error('socket: Operation not permitted (raw sockets need root or CAP_NET_RAW)')
    const failing = new VrrpRouter({ vrid: 7, priority: 100, vips: ['192.0.2.100'], transport: new RawTransport({ interface: 'eth0', host }) })
    await expect(failing.start()).rejects.toMatchObject({ code: 'ERR_VRRP_TRANSPORT', message: /Operation not permitted/ })

    host.openError = undefined
    const router = new VrrpRouter({ vrid: 7, priority: 100, vips: ['192.0.2.100'], transport: new RawTransport({ interface: 'eth0', host }), initialState: 'master', vipActions: new MemoryVipActions() })
    await router.start()
    const socket = host.sockets[0]!
    const ip = parseIpv4Datagram(socket.sent[0]!.datagram)!
    expect(ip.destination).toBe('224.0.0.18')
    // A higher-priority master's advert arrives through the socket: the router yields.
    const advert = encodeVrrpPacket({ version: 3, vrid: 7, priority: 200, advertIntervalMs: 1000, addresses: ['192.0.2.100'] }, { source: '192.0.2.20', destination: '224.0.0.18' })
    socket.inject(encodeIpv4Datagram(advert, '192.0.2.20', '224.0.0.18', 112))
    expect(router.state).toBe('backup')
    await router.stop()
    expect(socket.closed).toBe(true)
  })
})

describe('RawTransport over IPv6', () => {
  async function opened6(options: Partial<ConstructorParameters<typeof RawTransport>[0]> = {}) {
    const host = new FakeHost([eth0])
    const transport = new RawTransport({ interface: 'eth0', host, family: 6, ...options })
    const got: VrrpInbound[] = []
    await transport.open((m) => got.push(m))
    return { host, transport, got, socket: host.sockets6[0] as FakeRawSocket6 }
  }

  it('sends from the interface link-local address and joins ff02::12 on the interface', async () => {
    const { transport, socket, host } = await opened6()
    expect(transport.family).toBe(6)
    expect(transport.localAddress).toBe('fe80::5eff:fe10:2030')
    expect(host.sockets).toEqual([])
    expect(socket.options).toEqual({ interface: eth0, protocol: 112, localAddress: 'fe80::5eff:fe10:2030', multicastGroup: 'ff02::12' })
  })

  it('a link-local localAddress picks IPv6 without family; a global one is refused; no link-local is ERR_VRRP_INTERFACE', () => {
    const host = new FakeHost([eth0, { ...eth0, name: 'eth1', ipv6LinkLocal: [] }])
    expect(new RawTransport({ interface: 'eth0', host, localAddress: 'fe80::1%eth0' })).toMatchObject({ family: 6, localAddress: 'fe80::1' })
    expect(() => new RawTransport({ interface: 'eth0', host, localAddress: 'fd00::1' })).toThrow(/not link-local/)
    expect(() => new RawTransport({ interface: 'eth1', host, family: 6 })).toThrow(expect.objectContaining({ code: 'ERR_VRRP_INTERFACE', message: expect.stringMatching(/no IPv6 link-local/) }))
  })

  it('sends the bare VRRP message (the kernel writes the IPv6 header) and reports send errors', async () => {
    const { transport, socket } = await opened6()
    const errors: Error[] = []
    const advert = Uint8Array.of(0x31, 7, 100, 0, 0, 100, 0, 0)
    transport.send(advert, 'ff02::12', (e) => errors.push(e))
    expect(socket.sent).toEqual([{ payload: advert, destination: 'ff02::12' }])
    socket.failSend = new Error('sendto ff02::12: Network is unreachable')
    transport.send(advert, 'ff02::12', (e) => errors.push(e))
    expect(errors.map((e) => e.message)).toEqual(['sendto ff02::12: Network is unreachable'])
  })

  it('hands the router hop limit, source and destination from recvmsg; drops what is not to us or the group', async () => {
    const { socket, got } = await opened6()
    const bytes = new Uint8Array(8)
    socket.inject({ payload: bytes, source: 'fe80::2', destination: 'ff02::12', hopLimit: 255 })
    socket.inject({ payload: bytes, source: 'fe80::2', destination: 'fe80::5eff:fe10:2030', hopLimit: 64 })
    socket.inject({ payload: bytes, source: 'fe80::2', destination: 'ff02::1', hopLimit: 255 })
    socket.inject({ payload: bytes, source: 'fe80::2', destination: 'ff02::12', hopLimit: undefined })
    expect(got).toEqual([
      { bytes, source: 'fe80::2', destination: 'ff02::12', ttl: 255 },
      { bytes, source: 'fe80::2', destination: 'fe80::5eff:fe10:2030', ttl: 64 },
      { bytes, source: 'fe80::2', destination: 'ff02::12' },
    ])
  })

  it('a VRRPv3 router over it sends to ff02::12 with a checksum over the IPv6 pseudo-header, and yields to a better IPv6 master', async () => {
    const host = new FakeHost([eth0])
    const router = new VrrpRouter({ vrid: 9, priority: 100, vips: ['fd00:dead::1'], transport: new RawTransport({ interface: 'eth0', host, family: 6 }), initialState: 'master', vipActions: new MemoryVipActions() })
    await router.start()
    const socket = host.sockets6[0]!
    expect(socket.sent[0]!.destination).toBe('ff02::12')
    const expected = encodeVrrpPacket({ version: 3, vrid: 9, priority: 100, advertIntervalMs: 1000, addresses: ['fd00:dead::1'] }, { source: 'fe80::5eff:fe10:2030', destination: 'ff02::12' })
    expect([...socket.sent[0]!.payload]).toEqual([...expected])
    const better = encodeVrrpPacket({ version: 3, vrid: 9, priority: 200, advertIntervalMs: 1000, addresses: ['fd00:dead::1'] }, { source: 'fe80::9', destination: 'ff02::12' })
    socket.inject({ payload: better, source: 'fe80::9', destination: 'ff02::12', hopLimit: 255 })
    expect(router.state).toBe('backup')
    await router.stop()
    expect(socket.closed).toBe(true)
  })
})
