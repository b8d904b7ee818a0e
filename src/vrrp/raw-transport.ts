/**
 * VRRP adverts as keepalived sends them: IP protocol 112 straight on the wire, to the multicast
 * group 224.0.0.18 (or to unicast peers), TTL 255, from a raw IPv4 socket bound to one
 * interface. Interoperates with keepalived and routers. Needs Linux, root (or CAP_NET_RAW) and
 * the optional dependency koffi; where protocol 112 or multicast is blocked (most clouds), use
 * {@link UdpTransport} between dns-ha routers instead. IPv4 only.
 */
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import { encodeIpv4Datagram, parseIpv4Datagram } from './ipv4.js'
import { nodeVrrpHost, type VrrpInterfaceInfo, type RawIpSocket, type VrrpHost } from './node-host.js'
import { VRRP_MULTICAST_V4, VRRP_PROTOCOL } from './packet.js'
import type { VrrpInbound, VrrpTransport } from './transport.js'

/** Options for {@link RawTransport}. */
export interface RawTransportOptions {
  /** The interface adverts go out of and come in on (keepalived `interface`). */
  interface: string
  /**
   * Our primary address: the IP source of adverts (keepalived `unicast_src_ip`). Default: the
   * interface's first IPv4 address not under a label, read when the transport is built.
   */
  localAddress?: string
  /**
   * Join 224.0.0.18 and accept adverts sent to it (default true). With false, the router must be
   * given `unicastPeers` (keepalived `unicast_peer`), and only adverts to our own address count.
   */
  multicast?: boolean
  /** The host seam (default: the real one); tests pass a fake. */
  host?: VrrpHost
}

/** Sends and receives VRRP adverts over a raw IPv4 socket for protocol 112. */
export class RawTransport implements VrrpTransport {
  readonly localAddress: string
  readonly unicastOnly: boolean
  /** The interface as read when the transport was built. */
  readonly interfaceInfo: VrrpInterfaceInfo
  private readonly host: VrrpHost
  private socket: RawIpSocket | undefined
  private id = 0

  /** Reads the interface; throws `DnsHaError` `ERR_VRRP_INTERFACE` when it does not exist or has no usable IPv4 address. */
  constructor(options: RawTransportOptions) {
    this.host = options.host ?? nodeVrrpHost
    const info = this.host.interfaceInfo(options.interface)
    if (!info) throw new DnsHaError('ERR_VRRP_INTERFACE', `vrrp: no network interface ${JSON.stringify(options.interface)}`)
    this.interfaceInfo = info
    const local = options.localAddress ?? info.ipv4[0]
    if (local === undefined) throw new DnsHaError('ERR_VRRP_INTERFACE', `vrrp: interface ${info.name} has no IPv4 address: give localAddress, or add one`)
    if (addressBytes(local)?.length !== 4) throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp: localAddress ${JSON.stringify(local)} is not an IPv4 address (RawTransport is IPv4 only)`)
    this.localAddress = local
    this.unicastOnly = options.multicast === false
  }

  /** Opens the socket (throws `DnsHaError` `ERR_VRRP_RAW_UNAVAILABLE` without koffi, `ERR_VRRP_PERMISSION` without root) and starts receiving. */
  async open(onMessage: (message: VrrpInbound) => void): Promise<void> {
    if (this.socket) return
    const socket = this.host.openRawSocket({
      interface: this.interfaceInfo,
      protocol: VRRP_PROTOCOL,
      localAddress: this.localAddress,
      ...(this.unicastOnly ? {} : { multicastGroup: VRRP_MULTICAST_V4 }),
    })
    this.socket = socket
    socket.receive((datagram) => {
      const message = this.inbound(datagram)
      if (message) onMessage(message)
    })
  }

  send(bytes: Uint8Array, destination: string, onError: (err: Error) => void): void {
    if (!this.socket) return
    try {
      this.id = (this.id + 1) & 0xffff
      this.socket.send(encodeIpv4Datagram(bytes, this.localAddress, destination, VRRP_PROTOCOL, 255, this.id), destination)
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)))
    }
  }

  async close(): Promise<void> {
    const socket = this.socket
    this.socket = undefined
    await socket?.close()
  }

  /** A received datagram as the router wants it; `undefined` for what is not a VRRP advert to us or our group. */
  private inbound(datagram: Uint8Array): VrrpInbound | undefined {
    const ip = parseIpv4Datagram(datagram)
    if (!ip || ip.protocol !== VRRP_PROTOCOL) return undefined
    const toUs = ip.destination === this.localAddress || (!this.unicastOnly && ip.destination === VRRP_MULTICAST_V4)
    if (!toUs) return undefined
    return { bytes: ip.payload, source: ip.source, destination: ip.destination, ttl: ip.ttl }
  }
}
