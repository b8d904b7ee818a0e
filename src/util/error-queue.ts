/**
 * Reading one entry of a socket's error queue (`recvmsg(fd, msg, MSG_ERRQUEUE)` on Linux with
 * `IP_RECVERR` / `IPV6_RECVERR` set): the layout of the `struct msghdr` the batched engine hands
 * the kernel, and the parse of what comes back. Kept apart from the engine so the byte offsets
 * are tested against hand-built kernel output, without a kernel.
 *
 * One Buffer holds everything (offsets from its start, 64-bit Linux):
 * `[struct msghdr (56)] pad [msg_name: sockaddr (32) at 64] [struct iovec (16) at 96]
 * [control (256) at 128] [payload (512) at 384]`.
 * What the kernel writes: `msg_name` is the destination of the datagram that drew the error (its
 * address and port, from the quoted headers); one control message `(SOL_IP, IP_RECVERR)` or
 * `(SOL_IPV6, IPV6_RECVERR)` carries a `struct sock_extended_err` (`ee_errno` u32, `ee_origin`,
 * `ee_type`, `ee_code` u8 each, a pad byte, `ee_info`, `ee_data` u32) followed by the offender's
 * sockaddr (`SO_EE_OFFENDER`: who sent the ICMP error); the payload is the datagram's start.
 */
import { addressText } from './cidr.js'
import type { UnreachableDestination } from './network.js'

const NAME_AT = 64
const NAME_BYTES = 32
const IOV_AT = 96
const CONTROL_AT = 128
const CONTROL_BYTES = 256
const PAYLOAD_AT = 384
const PAYLOAD_BYTES = 512
/** Size of the Buffer one error-queue read needs. */
export const ERRQUEUE_BYTES = PAYLOAD_AT + PAYLOAD_BYTES

const AF_INET = 2
const AF_INET6 = 10
/** The socket option levels and names that ask for the error queue (and label its control messages). */
export const SOL_IP = 0
export const IP_RECVERR = 11
const SOL_IPV6 = 41
export const IPV6_RECVERR = 25
const CMSG_HEADER = 16
/** `sock_extended_err` before the offender's sockaddr. */
const EXTENDED_ERR = 16

/** One error-queue entry, parsed. */
export interface ErrorQueueEntry {
  /** `ee_errno`: ECONNREFUSED (111) for port unreachable, EHOSTUNREACH (113)... */
  errno: number
  /** `ee_origin`: 1 local, 2 ICMP, 3 ICMPv6. */
  origin: number
  /** ICMP type and code. */
  type: number
  code: number
  /** Where the datagram that drew the error was going. */
  destination: UnreachableDestination
  /** Who sent the ICMP error, when the kernel says. */
  offender: string | undefined
}

/** Rewrites the msghdr in `mem` (whose first byte is at `base`) for the next read: the kernel shortens the lengths each time. */
export function prepareErrorQueueMsg(mem: Buffer, base: bigint): void {
  mem.fill(0, 0, PAYLOAD_AT)
  mem.writeBigUInt64LE(base + BigInt(NAME_AT), 0) // msg_name
  mem.writeUInt32LE(NAME_BYTES, 8) // msg_namelen
  mem.writeBigUInt64LE(base + BigInt(IOV_AT), 16) // msg_iov
  mem.writeBigUInt64LE(1n, 24) // msg_iovlen
  mem.writeBigUInt64LE(base + BigInt(CONTROL_AT), 32) // msg_control
  mem.writeBigUInt64LE(BigInt(CONTROL_BYTES), 40) // msg_controllen
  mem.writeBigUInt64LE(base + BigInt(PAYLOAD_AT), IOV_AT) // iov_base
  mem.writeBigUInt64LE(BigInt(PAYLOAD_BYTES), IOV_AT + 8) // iov_len
}

/**
 * The entry the kernel wrote into `mem` after a successful read; `undefined` when it holds no
 * extended error of IP or IPv6 or no destination (never throws: the bytes are the kernel's, but
 * a short or odd write must not take the socket down).
 */
export function readErrorQueueEntry(mem: Buffer): ErrorQueueEntry | undefined {
  const destination = readSockaddr(mem, NAME_AT, mem.readUInt32LE(8))
  if (destination === undefined) return undefined
  const controlLength = Math.min(Number(mem.readBigUInt64LE(40)), CONTROL_BYTES)
  for (let at = 0; at + CMSG_HEADER <= controlLength; ) {
    const start = CONTROL_AT + at
    const length = Number(mem.readBigUInt64LE(start))
    if (length < CMSG_HEADER || at + length > controlLength) return undefined
    const level = mem.readInt32LE(start + 8)
    const type = mem.readInt32LE(start + 12)
    if (((level === SOL_IP && type === IP_RECVERR) || (level === SOL_IPV6 && type === IPV6_RECVERR)) && length >= CMSG_HEADER + EXTENDED_ERR) {
      const ee = start + CMSG_HEADER
      const offender = readSockaddr(mem, ee + EXTENDED_ERR, length - CMSG_HEADER - EXTENDED_ERR)
      return { errno: mem.readUInt32LE(ee), origin: mem[ee + 4]!, type: mem[ee + 5]!, code: mem[ee + 6]!, destination, offender: offender?.address }
    }
    at += (length + 7) & ~7 // CMSG_ALIGN
  }
  return undefined
}

/** A sockaddr_in / sockaddr_in6 of at most `length` bytes at `at`; undefined for another family or too short a one. */
function readSockaddr(mem: Buffer, at: number, length: number): UnreachableDestination | undefined {
  if (length < 2) return undefined
  const family = mem.readUInt16LE(at)
  const port = mem.readUInt16BE(at + 2)
  if (family === AF_INET && length >= 8) return { address: addressText(mem.subarray(at + 4, at + 8)), port }
  if (family === AF_INET6 && length >= 24) return { address: addressText(mem.subarray(at + 8, at + 24)), port }
  return undefined
}
