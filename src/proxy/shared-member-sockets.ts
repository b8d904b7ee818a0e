/**
 * {@link SharedMemberSockets}: the member side of a {@link UdpProxyPool} with `memberSockets:
 * 'shared'`, one unconnected socket per address family for every member. A connected socket
 * lets the kernel sort answers by member and hand back a dead member's port unreachable; an
 * unconnected one does neither, so both are done here: each datagram is given to the member
 * whose address and port it came from (anything else is a stranger), and the socket asks for
 * ICMP errors (`reportUnreachable`), each naming the destination, which is the member.
 *
 * The gain is on the batched engine: the queries of one client batch leave in one `sendmmsg`
 * and the answers come up to 64 per `recvmmsg`, where connected `dgram` sockets pay a system
 * call and a trip into JavaScript per datagram.
 */
import { addressBytes, addressText } from '../util/cidr.js'
import type { DatagramSocket, Network, UnreachableError } from '../util/network.js'
import { isUnreachableError } from '../util/network.js'
import type { ProxyMember } from './proxy-member.js'

/** What the shared sockets tell the pool. */
export interface SharedMemberHandlers {
  /** A datagram from `member`'s address and port (borrowed: valid during the call on the batched engine). */
  answer(member: ProxyMember, msg: Buffer): void
  /** A datagram from an address and port that is no member's: dropped. */
  stranger(): void
  /** An ICMP error for a datagram sent to `member`. */
  unreachable(member: ProxyMember, error: UnreachableError): void
  /** Any other socket error, or the socket cannot report ICMP errors. */
  error(error: Error): void
}

/** `address#port` with the address in the form the kernel reports it (IPv6 compressed, lower case). */
export function sourceKey(address: string, port: number): string {
  if (!address.includes(':')) return `${address}#${port}`
  const bytes = addressBytes(address)
  return `${bytes === undefined ? address : addressText(bytes)}#${port}`
}

/** One unconnected socket per family, shared by the members that are attached. */
export class SharedMemberSockets {
  private readonly sockets = new Map<4 | 6, Promise<DatagramSocket>>()
  private readonly members = new Map<string, ProxyMember>()

  constructor(
    private readonly network: Network,
    private readonly receiveBufferBytes: number,
    private readonly handlers: SharedMemberHandlers,
  ) {}

  /** Registers `member` by its address and port and resolves with the socket of its family (bound on first use). */
  attach(member: ProxyMember, family: 4 | 6): Promise<DatagramSocket> {
    this.members.set(sourceKey(member.address, member.port), member)
    let socket = this.sockets.get(family)
    if (socket === undefined) {
      socket = this.open(family)
      this.sockets.set(family, socket)
      // A failed bind is retried by the next attach rather than remembered.
      socket.catch(() => this.sockets.delete(family))
    }
    return socket
  }

  /** Forgets `member` (its late datagrams become strangers), unless another member took its address since. */
  detach(member: ProxyMember): void {
    const key = sourceKey(member.address, member.port)
    if (this.members.get(key) === member) this.members.delete(key)
  }

  /** Closes the sockets. */
  async close(): Promise<void> {
    const opened = await Promise.allSettled([...this.sockets.values()])
    this.sockets.clear()
    this.members.clear()
    await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)))
  }

  private async open(family: 4 | 6): Promise<DatagramSocket> {
    const socket = this.network.createDatagramSocket(family)
    if (socket.reportUnreachable?.() !== true) {
      this.handlers.error(new Error('the shared member socket cannot report ICMP errors: a dead member is noticed only when its queries go unanswered'))
    }
    socket.onMessage((msg, rinfo) => {
      // The kernel's (and MemoryNetwork's) source address is already in canonical form.
      const member = this.members.get(`${rinfo.address}#${rinfo.port}`)
      if (member === undefined) this.handlers.stranger()
      else this.handlers.answer(member, msg)
    })
    socket.onError((error) => {
      if (!isUnreachableError(error)) return this.handlers.error(error)
      const member = this.members.get(sourceKey(error.destination.address, error.destination.port))
      // No member there any more (removed meanwhile): nothing to take down.
      if (member !== undefined) this.handlers.unreachable(member, error)
    })
    try {
      await socket.bind(0, family === 4 ? '0.0.0.0' : '::')
    } catch (error) {
      await socket.close()
      throw error
    }
    socket.setReceiveBufferSize(this.receiveBufferBytes)
    return socket
  }
}
