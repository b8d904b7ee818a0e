// A fake of the batched engine's system calls (BatchedSyscalls): it reads and writes the
// engine's own mmsghdr regions as the kernel would, so a test can script what loopback never
// does: sendmmsg returning EAGAIN, partial counts or an error for the first datagram.
import type { BatchedSyscalls } from '../../src/util/batched-network.js'

export const EAGAIN = 11
export const ENETUNREACH = 101
export const SOL_SOCKET = 1
export const SO_REUSEPORT = 15

/** One datagram the fake kernel took from sendmmsg or sendto. */
export interface WireDatagram {
  data: string
  port: number
  address: string
}

/** What the next sendmmsg does: accept this many (at most what it was given), or fail with an errno. */
export type SendStep = number | { errno: number }

export class FakeSyscalls implements BatchedSyscalls {
  /** Every datagram handed to the fake kernel, in order. */
  readonly wire: WireDatagram[] = []
  /** Each sendmmsg call's datagram count, in order. */
  readonly sendCalls: number[] = []
  /** Every call by name, in order (`setsockopt:1:15`, `bind`, `close:100`...). */
  readonly calls: string[] = []
  /** What the next sendmmsg calls do, consumed one per call; when empty, `sendDefault`. */
  readonly script: SendStep[] = []
  sendDefault: SendStep = Number.MAX_SAFE_INTEGER
  private readonly regions: { base: bigint; mem: Buffer }[] = []
  private nextBase = 0x1000_0000n
  private lastErrno = 0
  private nextFd = 100
  private pending: { vec: bigint; n: number; callback: (err: unknown, n: number) => void } | undefined

  address(mem: Buffer): bigint {
    const base = this.nextBase
    this.nextBase += 0x1000_0000n
    this.regions.push({ base, mem })
    return base
  }

  errno(): number {
    return this.lastErrno
  }

  socket(): number {
    this.calls.push('socket')
    return this.nextFd++
  }

  bind(fd: number, addr: Buffer): number {
    this.calls.push(`bind:${fd}:${addr.readUInt16BE(2)}`)
    return 0
  }

  getsockname(_fd: number, addr: Buffer): number {
    addr.writeUInt16BE(5353, 2)
    return 0
  }

  setsockopt(_fd: number, level: number, name: number, value: Int32Array): number {
    this.calls.push(`setsockopt:${level}:${name}:${value[0]}`)
    return 0
  }

  recvmmsgAsync(_fd: number, vec: bigint, n: number, _flags: number, callback: (err: unknown, n: number) => void): void {
    this.pending = { vec, n, callback }
  }

  /** The kernel fills the pending receive with these datagrams and returns (synchronously). */
  deliver(datagrams: WireDatagram[]): void {
    const pending = this.pending
    if (!pending) throw new Error('no receive pending')
    this.pending = undefined
    const count = Math.min(datagrams.length, pending.n)
    for (let i = 0; i < count; i++) {
      const { mem, offset } = this.resolve(pending.vec + BigInt(i * 64))
      const d = datagrams[i]!
      const name = this.resolve(mem.readBigUInt64LE(offset))
      name.mem.writeUInt16LE(2, name.offset)
      name.mem.writeUInt16BE(d.port, name.offset + 2)
      name.mem.set(d.address.split('.').map(Number), name.offset + 4)
      mem.writeUInt32LE(16, offset + 8) // msg_namelen
      mem.writeInt32LE(0, offset + 48) // msg_flags
      mem.writeUInt32LE(d.data.length, offset + 56) // msg_len
      const iov = this.resolve(mem.readBigUInt64LE(offset + 16))
      const slot = this.resolve(iov.mem.readBigUInt64LE(iov.offset))
      slot.mem.write(d.data, slot.offset, 'latin1')
    }
    pending.callback(null, count)
  }

  sendmmsg(_fd: number, vec: bigint, n: number): number {
    this.sendCalls.push(n)
    const step = this.script.length > 0 ? this.script.shift()! : this.sendDefault
    if (typeof step !== 'number') {
      this.lastErrno = step.errno
      return -1
    }
    const taken = Math.min(step, n)
    for (let i = 0; i < taken; i++) {
      const { mem, offset } = this.resolve(vec + BigInt(i * 64))
      const name = this.resolve(mem.readBigUInt64LE(offset))
      const iov = this.resolve(mem.readBigUInt64LE(offset + 16))
      const length = Number(iov.mem.readBigUInt64LE(iov.offset + 8))
      const slot = this.resolve(iov.mem.readBigUInt64LE(iov.offset))
      this.wire.push({
        data: slot.mem.toString('latin1', slot.offset, slot.offset + length),
        port: name.mem.readUInt16BE(name.offset + 2),
        address: [...name.mem.subarray(name.offset + 4, name.offset + 8)].join('.'),
      })
    }
    return taken
  }

  sendto(_fd: number, buf: Uint8Array, len: number, _flags: number, addr: Buffer): number {
    this.wire.push({ data: Buffer.from(buf).toString('latin1', 0, len), port: addr.readUInt16BE(2), address: [...addr.subarray(4, 8)].join('.') })
    return len
  }

  /** ICMP errors waiting in the fake error queue (IPv4), read by recvmsg(MSG_ERRQUEUE) one per call. */
  readonly errorQueue: { errno: number; address: string; port: number; offender: string }[] = []

  /** As the kernel with IP_RECVERR: an ICMP error queues an entry and the pending receive returns -1. */
  icmpError(entry: { errno: number; address: string; port: number; offender: string }): void {
    this.errorQueue.push(entry)
    const pending = this.pending
    if (!pending) return
    this.pending = undefined
    this.lastErrno = entry.errno
    pending.callback(null, -1)
  }

  /** The pending receive fails with `errno` (EINTR, ENOMEM...) and nothing is queued. */
  failReceive(errno: number): void {
    const pending = this.pending
    if (!pending) throw new Error('no receive pending')
    this.pending = undefined
    this.lastErrno = errno
    pending.callback(null, -1)
  }

  recvmsg(_fd: number, msg: bigint, flags: number): number {
    this.calls.push(`recvmsg:${flags}`)
    const entry = this.errorQueue.shift()
    if (!entry) {
      this.lastErrno = EAGAIN
      return -1
    }
    const { mem, offset } = this.resolve(msg)
    const name = this.resolve(mem.readBigUInt64LE(offset))
    name.mem.writeUInt16LE(2, name.offset)
    name.mem.writeUInt16BE(entry.port, name.offset + 2)
    name.mem.set(entry.address.split('.').map(Number), name.offset + 4)
    mem.writeUInt32LE(16, offset + 8)
    const control = this.resolve(mem.readBigUInt64LE(offset + 32))
    const c = control.offset
    control.mem.writeBigUInt64LE(16n + 16n + 16n, c) // cmsg_len: header, sock_extended_err, sockaddr_in
    control.mem.writeInt32LE(0, c + 8) // SOL_IP
    control.mem.writeInt32LE(11, c + 12) // IP_RECVERR
    control.mem.writeUInt32LE(entry.errno, c + 16)
    control.mem[c + 20] = 2 // SO_EE_ORIGIN_ICMP
    control.mem[c + 21] = 3 // destination unreachable
    control.mem[c + 22] = 3 // port unreachable
    control.mem.writeUInt16LE(2, c + 32)
    control.mem.set(entry.offender.split('.').map(Number), c + 36)
    mem.writeBigUInt64LE(48n, offset + 40) // msg_controllen, as used
    return 0
  }

  /** As the kernel: SHUT_RD wakes a blocked receive, which returns one empty "message" with no sender. */
  shutdown(fd: number): number {
    this.calls.push(`shutdown:${fd}`)
    const pending = this.pending
    if (pending) {
      this.pending = undefined
      const { mem, offset } = this.resolve(pending.vec)
      mem.writeUInt32LE(0, offset + 8)
      setImmediate(() => pending.callback(null, 1))
    }
    return 0
  }

  close(fd: number): number {
    this.calls.push(`close:${fd}`)
    return 0
  }

  strerror(errno: number): string {
    return errno === EAGAIN ? 'Resource temporarily unavailable' : errno === ENETUNREACH ? 'Network is unreachable' : `errno ${errno}`
  }

  /** The region holding a fake address, and the offset in it. */
  private resolve(addr: bigint): { mem: Buffer; offset: number } {
    for (const r of this.regions) {
      if (addr >= r.base && addr < r.base + BigInt(r.mem.length)) return { mem: r.mem, offset: Number(addr - r.base) }
    }
    throw new Error(`address 0x${addr.toString(16)} is in no region`)
  }
}
