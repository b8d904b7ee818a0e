/**
 * How adverts travel. The router encodes and decodes; a transport only moves bytes and says
 * who sent them to whom, so the same state machine runs over memory (tests), UDP (containers and
 * clouds that block IP protocol 112) and, later, raw IP protocol 112.
 */

/** One datagram as the transport received it. */
export interface VrrpInbound {
  /** The VRRP message (no IP header). */
  bytes: Uint8Array
  /** The IP source: the sender's primary address. */
  source: string
  /** The IP destination: the multicast group or our own address. */
  destination: string
  /** The IP TTL / hop limit when the transport can see it (RFC 5798 requires 255); `undefined` when it cannot. */
  ttl?: number
}

/** Moves VRRP messages between routers. */
export interface VrrpTransport {
  /** Our primary address: the IP source of what we send, and the tie-breaker between equal priorities. */
  readonly localAddress: string
  /** True when the transport cannot reach a multicast group, so the router must be given unicast peers. */
  readonly unicastOnly: boolean
  /** Starts delivering received messages to `onMessage` (one handler; it never throws). */
  open(onMessage: (message: VrrpInbound) => void): Promise<void>
  /** Sends one message to `destination` (a multicast group or a peer's address); failures go to `onError`. */
  send(bytes: Uint8Array, destination: string, onError: (err: Error) => void): void
  /** Stops receiving and releases the socket. */
  close(): Promise<void>
}
