/**
 * VRRP adverts as keepalived sends them: IP protocol 112 straight on the wire, to the multicast
 * group 224.0.0.18 (or to unicast peers), TTL 255, from a raw IPv4 socket bound to one
 * interface. Interoperates with keepalived and routers. Needs Linux, root (or CAP_NET_RAW) and
 * the optional dependency koffi; where protocol 112 or multicast is blocked (most clouds), use
 * {@link UdpTransport} between dns-ha routers instead.
 *
 * IPv6 (VRRPv3 only): a raw IPv6 socket for next header 112 joined to ff02::12 on the interface,
 * hop limit 255 both ways, sending from the interface's link-local address (RFC 5798 §5.1.2.1:
 * that address is the router's primary address). An IPv6 raw socket hands over no IP header, so
 * the hop limit and destination come from recvmsg ancillary data (IPV6_RECVHOPLIMIT,
 * IPV6_RECVPKTINFO) and the source from the sockaddr_in6; the kernel is told to leave the
 * checksum alone (IPV6_CHECKSUM -1), since the codec writes and checks it over the pseudo-header.
 */
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import { encodeIpv4Datagram, parseIpv4Datagram } from './ipv4.js'
import { nodeVrrpHost, type VrrpInterfaceInfo, type RawIp6Socket, type RawIpSocket, type VrrpHost } from './node-host.js'
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, VRRP_PROTOCOL } from './packet.js'
import type { VrrpInbound, VrrpTransport } from './transport.js'

/** Options for {@link RawTransport}. */
export interface RawTransportOptions {
  /** The interface adverts go out of and come in on (keepalived `interface`). */
  interface: string
  /**
   * Our primary address: the IP source of adverts (keepalived `unicast_src_ip`). Default: the
   * interface's first IPv4 address not under a label, or for IPv6 its link-local address, read
   * when the transport is built. An IPv6 one must be link-local (fe80::/10).
   */
  localAddress?: string
  /**
   * The IP family: 6 for VRRPv3 over IPv6 (IPv6 VIPs). Default: the family of `localAddress`
   * when given, else 4.
   */
  family?: 4 | 6
  /**
   * Join 224.0.0.18 (ff02::12 for IPv6) and accept adverts sent to it (default true). With false, the router must be
   * given `unicastPeers` (keepalived `unicast_peer`), and only adverts to our own address count.
   */
  multicast?: boolean
  /** The host seam (default: the real one); tests pass a fake. */
  host?: VrrpHost
}

/** Sends and receives VRRP adverts over a raw IPv4 or IPv6 socket for protocol 112. */
export class RawTransport implements VrrpTransport {
  readonly localAddress: string
  readonly unicastOnly: boolean
  /** The IP family adverts travel in. */
  readonly family: 4 | 6
  /** The interface as read when the transport was built. */
  readonly interfaceInfo: VrrpInterfaceInfo
  private readonly host: VrrpHost
  private socket: RawIpSocket | undefined
  private socket6: RawIp6Socket | undefined
  private id = 0

  /**
   * Reads the interface; throws `DnsHaError` `ERR_VRRP_INTERFACE` when it does not exist or has
   * no usable address of the family, `ERR_VRRP_CONFIG` on a `localAddress` of the wrong family
   * or an IPv6 one that is not link-local.
   */
  constructor(options: RawTransportOptions) {
    this.host = options.host ?? nodeVrrpHost
    const info = this.host.interfaceInfo(options.interface)
    if (!info) throw new DnsHaError('ERR_VRRP_INTERFACE', `vrrp: no network interface ${JSON.stringify(options.interface)}`)
    this.interfaceInfo = info
    const given = options.localAddress === undefined ? undefined : addressBytes(options.localAddress)
    if (options.localAddress !== undefined && given === undefined) throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp: localAddress ${JSON.stringify(options.localAddress)} is not an IP address`)
    this.family = options.family ?? (given?.length === 16 ? 6 : 4)
    if (given !== undefined && given.length !== (this.family === 4 ? 4 : 16)) throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp: localAddress ${options.localAddress} is not an IPv${this.family} address`)
    if (this.family === 4) {
      const local = options.localAddress ?? info.ipv4[0]
      if (local === undefined) throw new DnsHaError('ERR_VRRP_INTERFACE', `vrrp: interface ${info.name} has no IPv4 address: give localAddress, or add one`)
      this.localAddress = local
    } else {
      const local = options.localAddress?.split('%')[0] ?? info.ipv6LinkLocal?.[0]
      if (local === undefined) throw new DnsHaError('ERR_VRRP_INTERFACE', `vrrp: interface ${info.name} has no IPv6 link-local address (is it up, with IPv6 enabled?)`)
      // RFC 5798 §5.1.2.1: IPv6 adverts leave from the interface's link-local address.
      if (((addressBytes(local)![0]! << 8) | (addressBytes(local)![1]! & 0xc0)) !== 0xfe80) throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp: IPv6 localAddress ${local} is not link-local (fe80::/10), as RFC 5798 requires of an IPv6 advert's source`)
      this.localAddress = local
    }
    this.unicastOnly = options.multicast === false
  }

  /** Opens the socket (throws `DnsHaError` `ERR_VRRP_RAW_UNAVAILABLE` without koffi, `ERR_VRRP_PERMISSION` without root) and starts receiving. */
  async open(onMessage: (message: VrrpInbound) => void): Promise<void> {
    if (this.socket || this.socket6) return
    if (this.family === 6) {
      const socket6 = this.host.openRawSocket6({
        interface: this.interfaceInfo,
        protocol: VRRP_PROTOCOL,
        localAddress: this.localAddress,
        ...(this.unicastOnly ? {} : { multicastGroup: VRRP_MULTICAST_V6 }),
      })
      this.socket6 = socket6
      socket6.receive(({ payload, source, destination, hopLimit }) => {
        const toUs = destination === this.localAddress || (!this.unicastOnly && destination === VRRP_MULTICAST_V6)
        if (toUs) onMessage({ bytes: payload, source, destination, ...(hopLimit === undefined ? {} : { ttl: hopLimit }) })
      })
      return
    }
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
    if (this.socket6) {
      try {
        this.socket6.send(bytes, destination)
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)))
      }
      return
    }
    if (!this.socket) return
    try {
      this.id = (this.id + 1) & 0xffff
      this.socket.send(encodeIpv4Datagram(bytes, this.localAddress, destination, VRRP_PROTOCOL, 255, this.id), destination)
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)))
    }
  }

  async close(): Promise<void> {
    const socket = this.socket ?? this.socket6
    this.socket = undefined
    this.socket6 = undefined
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
