/**
 * A VRRP transport between two machines that share one host, standing for the seed's two
 * machines on a LAN:
 * - addresses are translated: the router sees the machines' own addresses (its primary address
 *   and its peer's), the socket underneath talks to the host's address; so adverts carry the
 *   seed's addresses, VRRPv3 checksums (which cover them) hold, and reasons read "peer
 *   172.22.10.237 priority 150 > ours 100";
 * - it can be cut, to stand for a machine that dies: after `sever()` nothing it sends leaves and
 *   nothing arrives, so the router's last words (the priority-0 advert of a clean stop) are lost
 *   as they are when the power goes, and the peer learns of the death only from silence, after
 *   Master_Down_Interval, as with keepalived killed by SIGKILL.
 */
import type { VrrpInbound, VrrpTransport } from '../vrrp/index.js'

/** How {@link SeverableTransport} translates addresses. */
export interface TransportAddressMap {
  /** The address the router believes it has (the machine's). */
  local: string
  /** The peer machine's address, and where on this host it really listens. */
  peer: { address: string; via: string }
}

/** Wraps a transport; {@link SeverableTransport.sever} makes it deaf and mute. */
export class SeverableTransport implements VrrpTransport {
  private severed = false

  constructor(
    private readonly inner: VrrpTransport,
    private readonly map?: TransportAddressMap,
  ) {}

  get localAddress(): string {
    return this.map?.local ?? this.inner.localAddress
  }

  get unicastOnly(): boolean {
    return this.inner.unicastOnly
  }

  open(onMessage: (message: VrrpInbound) => void): Promise<void> {
    return this.inner.open((message) => {
      if (this.severed) return
      const map = this.map
      if (map === undefined) return onMessage(message)
      // Only our one peer talks to us on this host: whatever arrives is from it, to us.
      if (message.source === map.peer.via) onMessage({ ...message, source: map.peer.address, destination: map.local })
    })
  }

  send(bytes: Uint8Array, destination: string, onError: (err: Error) => void): void {
    if (this.severed) return
    const map = this.map
    this.inner.send(bytes, map !== undefined && destination === map.peer.address ? map.peer.via : destination, onError)
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  /** From now on nothing is sent or delivered. */
  sever(): void {
    this.severed = true
  }
}
