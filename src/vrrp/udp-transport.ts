/**
 * VRRP adverts over UDP to unicast peers: for containers and clouds that block IP protocol 112
 * or multicast. Every router binds its own address; the peers are addresses the router sends to
 * (its `unicastPeers`), each on `port` unless told otherwise. Not interoperable with keepalived,
 * which speaks only raw IP: both ends must be dns-ha.
 */
import { addressFamily, nodeNetwork, type DatagramSocket, type Network } from '../util/network.js'
import type { VrrpInbound, VrrpTransport } from './transport.js'

/** Default UDP port of {@link UdpTransport}: an arbitrary choice (the RFC number); every router of a group must agree. */
export const VRRP_UDP_PORT = 5798

/** Options for {@link UdpTransport}. */
export interface UdpTransportOptions {
  /** The address to bind, also the router's primary address (a real interface address, not a wildcard). */
  address: string
  /** Port to bind (default {@link VRRP_UDP_PORT}; 0 picks one, for tests). */
  port?: number
  /** Peers listening on another port than ours: address → port (tests on one host). */
  peerPorts?: Record<string, number>
  /** The socket seam (default: Node's dgram). */
  network?: Network
}

/** Sends and receives VRRP messages as UDP payloads. */
export class UdpTransport implements VrrpTransport {
  readonly localAddress: string
  readonly unicastOnly = true
  private readonly network: Network
  private readonly peerPorts = new Map<string, number>()
  private port: number
  private socket: DatagramSocket | undefined

  constructor(options: UdpTransportOptions) {
    this.localAddress = options.address
    this.port = options.port ?? VRRP_UDP_PORT
    this.network = options.network ?? nodeNetwork
    for (const [address, port] of Object.entries(options.peerPorts ?? {})) this.peerPorts.set(address, port)
  }

  /** The bound port (after {@link UdpTransport.open}); with port 0 this is the one the kernel chose. */
  get boundPort(): number {
    return this.socket?.address().port ?? this.port
  }

  /** Tells the transport that the peer at `address` listens on `port`. */
  setPeerPort(address: string, port: number): void {
    this.peerPorts.set(address, port)
  }

  async open(onMessage: (message: VrrpInbound) => void): Promise<void> {
    const socket = this.network.createDatagramSocket(addressFamily(this.localAddress))
    socket.onMessage((msg, rinfo) => {
      // Copy: a batched socket lends its buffer only for the call.
      onMessage({ bytes: new Uint8Array(msg), source: rinfo.address, destination: this.localAddress })
    })
    // Asynchronous socket errors (ICMP unreachable from a peer that is down) say nothing VRRP does not learn from silence.
    socket.onError(() => {})
    const bound = await socket.bind(this.port, this.localAddress)
    this.port = bound.port
    this.socket = socket
  }

  send(bytes: Uint8Array, destination: string, onError: (err: Error) => void): void {
    if (!this.socket) return
    this.socket.send(bytes, this.peerPorts.get(destination) ?? this.port, destination, (err) => {
      if (err) onError(err)
    })
  }

  async close(): Promise<void> {
    const socket = this.socket
    this.socket = undefined
    await socket?.close()
  }
}
