/**
 * The virtual address on loopback. In the seed topologies the VIP is an address keepalived moves
 * between machines, and the kernel of whichever machine holds it takes the packets (DNAT to its
 * own proxy). On one laptop without root there is no address to move, so a small front listens
 * where the VIP would and relays each client datagram to the node that holds the VIP now: the
 * routers' VIP actions move it, exactly when they would add and remove the address. While
 * nobody holds it, datagrams are dropped, as they are on a LAN where nobody answers ARP.
 * When two routers hold it at once (both Master for a moment, e.g. when a busy host delays
 * both timers), the last to add it takes the traffic, as the last gratuitous ARP does; when
 * that one removes it, the traffic goes back to the other, which still has the address.
 */
import { EventEmitter } from 'eventemitter3'
import { DatagramSessions } from '../proxy/index.js'
import type { MemberPicker, PickedMember } from '../proxy/index.js'
import type { Clock } from '../util/clock.js'
import type { BoundAddress, Network } from '../util/network.js'
import type { VipActions } from '../vrrp/index.js'

/** A node that can hold the VIP: its name and where its service (the proxy pool) listens. */
export interface VipHolder {
  name: string
  address: string
  port: number
}

/** Options of {@link VipFront}. */
export interface VipFrontOptions {
  network?: Network
  clock?: Clock
  /** Silence after which a client's relay session ends (default 2000 ms, nginx's proxy_timeout). */
  sessionTimeoutMs?: number
}

/** Events of {@link VipFront}. */
export interface VipFrontEvents {
  /** The VIP moved: `to` is undefined while nobody holds it. */
  holder: (event: { from: string | undefined; to: string | undefined }) => void
}

/** Listens where the VIP would be and relays to its holder. */
export class VipFront extends EventEmitter<VipFrontEvents> {
  private current: VipHolder | undefined
  /** Every node that has added the VIP and not removed it yet, the latest last. */
  private readonly claims: VipHolder[] = []
  private readonly sessions: DatagramSessions

  constructor(options: VipFrontOptions = {}) {
    super()
    const picker: MemberPicker = {
      pick: (_client, exclude) => {
        const h = this.current
        return h === undefined || exclude.has(h.name) ? undefined : ({ key: h.name, address: h.address, port: h.port } satisfies PickedMember)
      },
      failed: () => {},
      answered: () => {},
    }
    this.sessions = new DatagramSessions({
      picker,
      responses: 1,
      timeoutMs: options.sessionTimeoutMs ?? 2000,
      nextUpstream: false,
      ...(options.network === undefined ? {} : { network: options.network }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    })
  }

  /** The node holding the VIP, if any. */
  get holder(): string | undefined {
    return this.current?.name
  }

  /** Starts listening (UDP) where clients send to the VIP. */
  listen(options: { address: string; port: number }): Promise<BoundAddress> {
    return this.sessions.listen(options)
  }

  /** The VIP actions of one node's router: adding the VIP points the front at the node, removing it lets go (if it still holds it). */
  actionsFor(holder: VipHolder): VipActions {
    const drop = (): void => {
      const i = this.claims.findIndex((c) => c.name === holder.name)
      if (i >= 0) this.claims.splice(i, 1)
    }
    return {
      add: () => {
        drop()
        this.claims.push(holder)
        this.move(holder)
      },
      remove: () => {
        drop()
        if (this.current?.name === holder.name) this.move(this.claims.at(-1))
      },
    }
  }

  /** Stops relaying and closes the socket. */
  close(): Promise<void> {
    return this.sessions.close()
  }

  private move(to: VipHolder | undefined): void {
    const from = this.current?.name
    if (from === to?.name) return
    this.current = to
    this.emit('holder', { from, to: to?.name })
  }
}
