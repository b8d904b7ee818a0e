/**
 * The host seam of the vrrp module, and the only file in it that touches Node's runtime: the
 * raw IP protocol 112 socket and the AF_PACKET socket (through koffi, an optional dependency
 * loaded on first use), the interface table (/sys/class/net and `os.networkInterfaces()`), and
 * child processes (`ip addr`, notify scripts). Everything with logic in it (IP header, ARP frame,
 * command lines, notify arguments) is in plain files and is tested against fakes of the
 * interfaces declared here.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { networkInterfaces } from 'node:os'
import { addressBytes, addressText } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'

/** What the vrrp module needs to know about a network interface. */
export interface VrrpInterfaceInfo {
  name: string
  /** The kernel's interface index (ip_mreqn, sockaddr_ll). */
  index: number
  /** Its hardware address, `aa:bb:cc:dd:ee:ff`. */
  mac: string
  /** Its IPv4 addresses not under a label, primary first (as the kernel lists them). */
  ipv4: string[]
  /** Its IPv6 link-local addresses (fe80::/10), the source of IPv6 adverts (RFC 5798 §5.1.2.1); absent when not read. */
  ipv6LinkLocal?: string[]
}

/** A raw IPv4 socket for one IP protocol, bound to one interface. */
export interface RawIpSocket {
  /** Sends a whole IPv4 datagram (our own header: IP_HDRINCL) towards `destination`; throws on a failed send. */
  send(datagram: Uint8Array, destination: string): void
  /** Starts the receive loop: each datagram arrives with its IP header; a copy the handler may keep. */
  receive(onDatagram: (datagram: Uint8Array) => void): void
  /** Wakes the receive and closes the descriptor. */
  close(): Promise<void>
}

/** Options of {@link VrrpHost.openRawSocket}. */
export interface RawSocketOptions {
  interface: VrrpInterfaceInfo
  protocol: number
  /** Join this IPv4 multicast group on the interface, and send multicast out of it from `localAddress`. */
  multicastGroup?: string
  localAddress: string
}

/** One IPv6 datagram as a raw IPv6 socket delivers it: no IP header, so the addresses and hop limit come from recvmsg. */
export interface RawIp6Datagram {
  /** The payload (the VRRP message). */
  payload: Uint8Array
  /** The sender (sockaddr_in6), without a zone. */
  source: string
  /** The destination (IPV6_PKTINFO), without a zone. */
  destination: string
  /** The hop limit it arrived with (IPV6_HOPLIMIT); `undefined` when the kernel did not say. */
  hopLimit: number | undefined
}

/** A raw IPv6 socket for one next-header value, bound to one interface and one link-local source. */
export interface RawIp6Socket {
  /** Sends `payload` to `destination` (scoped to the interface); the kernel writes the IPv6 header, hop limit 255. Throws on a failed send. */
  send(payload: Uint8Array, destination: string): void
  /** Starts the receive loop. */
  receive(onDatagram: (datagram: RawIp6Datagram) => void): void
  /** Wakes the receive and closes the descriptor. */
  close(): Promise<void>
}

/** Options of {@link VrrpHost.openRawSocket6}. */
export interface RawSocket6Options {
  interface: VrrpInterfaceInfo
  protocol: number
  /** Join this IPv6 multicast group on the interface (IPV6_JOIN_GROUP with its index). */
  multicastGroup?: string
  /** The source of what we send (bound): the interface's link-local address. */
  localAddress: string
}

/** How a process ended. */
export interface VrrpCommandResult {
  /** The exit code, `null` when a signal ended it. */
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
  /** True when it outlived its timeout and was killed. */
  timedOut: boolean
}

/** Runs commands without a shell; resolves when they end (killed after `timeoutMs`), rejects only when they cannot start. */
export type VrrpCommandRunner = (command: string, args: readonly string[], options?: { timeoutMs?: number }) => Promise<VrrpCommandResult>

/** Sends raw Ethernet frames out of an interface (AF_PACKET). */
export type VrrpFrameSender = (iface: VrrpInterfaceInfo, frames: readonly Uint8Array[]) => void

/** The host operations of the vrrp module, as one seam a test replaces. */
export interface VrrpHost {
  /** The interface's index, MAC and IPv4 addresses; `undefined` when there is no such interface. */
  interfaceInfo(name: string): VrrpInterfaceInfo | undefined
  openRawSocket(options: RawSocketOptions): RawIpSocket
  /** A raw IPv6 socket (the VRRPv3-over-IPv6 transport). */
  openRawSocket6(options: RawSocket6Options): RawIp6Socket
  sendFrames: VrrpFrameSender
  run: VrrpCommandRunner
}

const AF_INET = 2
const AF_PACKET = 17
const SOCK_RAW = 3
const SOCK_CLOEXEC = 0x80000
const SOL_SOCKET = 1
const SO_BINDTODEVICE = 25
const IPPROTO_IP = 0
const IP_TTL = 2
const IP_HDRINCL = 3
const IP_MULTICAST_IF = 32
const IP_MULTICAST_TTL = 33
const IP_MULTICAST_LOOP = 34
const IP_ADD_MEMBERSHIP = 35
const MSG_DONTWAIT = 0x40
const SHUT_RD = 0
const EPERM = 1
const EACCES = 13
const RECEIVE_BYTES = 65536
const ETH_P_ARP = 0x0806
const AF_INET6 = 10
const IPPROTO_IPV6 = 41
const IPV6_CHECKSUM = 7
const IPV6_UNICAST_HOPS = 16
const IPV6_MULTICAST_IF = 17
const IPV6_MULTICAST_HOPS = 18
const IPV6_MULTICAST_LOOP = 19
const IPV6_JOIN_GROUP = 20
const IPV6_RECVPKTINFO = 49
const IPV6_PKTINFO = 50
const IPV6_RECVHOPLIMIT = 51
const IPV6_HOPLIMIT = 52
const CONTROL_BYTES = 256

interface Libc {
  koffi: any
  socket: (domain: number, type: number, protocol: number) => number
  setsockopt: (fd: number, level: number, name: number, value: Uint8Array, len: number) => number
  recv: { async: (fd: number, buf: bigint, len: number, flags: number, cb: (err: unknown, n: number) => void) => void }
  sendto: (fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array, addrLen: number) => number
  shutdown: (fd: number, how: number) => number
  bind: (fd: number, addr: Uint8Array, len: number) => number
  recvmsg: { async: (fd: number, msg: bigint, flags: number, cb: (err: unknown, n: number) => void) => void }
  close: (fd: number) => number
  strerror: (errno: number) => string
}

let libc: Libc | undefined

function loadLibc(): Libc {
  if (libc) return libc
  if (process.platform !== 'linux') throw new DnsHaError('ERR_VRRP_RAW_UNAVAILABLE', `raw VRRP sockets are built for Linux (this is ${process.platform}): use UdpTransport`)
  let koffi
  try {
    koffi = createRequire(import.meta.url)('koffi')
  } catch (cause) {
    throw new DnsHaError('ERR_VRRP_RAW_UNAVAILABLE', `raw VRRP sockets need the optional dependency koffi (npm install koffi): ${(cause as Error).message.split('\n')[0]}`, { cause })
  }
  const lib = koffi.load('libc.so.6')
  libc = {
    koffi,
    socket: lib.func('int socket(int, int, int)'),
    setsockopt: lib.func('int setsockopt(int, int, int, void *, uint32_t)'),
    // The receive buffer is passed by address: it never moves, and the call runs on a worker thread.
    recv: lib.func('intptr_t recv(int, uint64_t, size_t, int)'),
    sendto: lib.func('intptr_t sendto(int, void *, size_t, int, void *, uint32_t)'),
    shutdown: lib.func('int shutdown(int, int)'),
    bind: lib.func('int bind(int, void *, uint32_t)'),
    // struct msghdr built in a Buffer that never moves, passed by address like recv's buffer.
    recvmsg: lib.func('intptr_t recvmsg(int, uint64_t, int)'),
    close: lib.func('int close(int)'),
    strerror: lib.func('const char *strerror(int)'),
  }
  return libc
}

function systemError(c: Libc, call: string, errno: number, what: string): DnsHaError {
  const permission = errno === EPERM || errno === EACCES
  return new DnsHaError(
    permission ? 'ERR_VRRP_PERMISSION' : 'ERR_VRRP_SOCKET',
    `${what}: ${call}: ${c.strerror(errno)}${permission ? ' (raw sockets need root or CAP_NET_RAW)' : ''}`,
    { details: { errno, syscall: call } },
  )
}

const int32 = (value: number): Uint8Array => new Uint8Array(Int32Array.of(value).buffer)

/** struct ip_mreqn: group, local address, interface index. */
function ipMreqn(group: string, local: string, index: number): Uint8Array {
  const out = new Uint8Array(12)
  out.set(addressBytes(group) ?? [0, 0, 0, 0], 0)
  out.set(addressBytes(local) ?? [0, 0, 0, 0], 4)
  new DataView(out.buffer).setInt32(8, index, true)
  return out
}

/** struct sockaddr_in with port 0. */
function sockaddrIn(address: string): Uint8Array {
  const out = new Uint8Array(16)
  new DataView(out.buffer).setUint16(0, AF_INET, true)
  out.set(addressBytes(address) ?? [0, 0, 0, 0], 4)
  return out
}

/** struct sockaddr_in6 with port 0, scoped to `index` (link-local and link-scope multicast need it). */
function sockaddrIn6(address: string, index: number): Uint8Array {
  const out = new Uint8Array(28)
  const view = new DataView(out.buffer)
  view.setUint16(0, AF_INET6, true)
  out.set(addressBytes(address) ?? new Uint8Array(16), 8)
  view.setUint32(24, index, true)
  return out
}

/** struct ipv6_mreq: group, interface index. */
function ipv6Mreq(group: string, index: number): Uint8Array {
  const out = new Uint8Array(20)
  out.set(addressBytes(group) ?? new Uint8Array(16), 0)
  new DataView(out.buffer).setInt32(16, index, true)
  return out
}

/**
 * The hop limit and destination from a recvmsg control buffer (struct cmsghdr, 64-bit Linux:
 * cmsg_len size_t, level int, type int, data aligned to 8). Exported for its unit test.
 */
export function parseIpv6Control(control: Uint8Array): { hopLimit: number | undefined; destination: Uint8Array | undefined } {
  const view = new DataView(control.buffer, control.byteOffset, control.byteLength)
  let hopLimit: number | undefined
  let destination: Uint8Array | undefined
  let at = 0
  while (at + 16 <= control.length) {
    const length = Number(view.getBigUint64(at, true))
    if (length < 16 || at + length > control.length) break
    const level = view.getInt32(at + 8, true)
    const type = view.getInt32(at + 12, true)
    if (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT && length >= 20) hopLimit = view.getInt32(at + 16, true)
    if (level === IPPROTO_IPV6 && type === IPV6_PKTINFO && length >= 36) destination = control.slice(at + 16, at + 32)
    at += (length + 7) & ~7
  }
  return { hopLimit, destination }
}

/** Descriptors with a receive pending: woken on exit, or Node's exit would wait for the worker thread. */
const pending = new Set<number>()
let exitHook = false

/**
 * The blocking receive both raw sockets run as koffi asynchronous calls (off the event loop), and
 * the close that wakes it with shutdown(SHUT_RD) (which wakes a recv on a raw socket too).
 */
abstract class KoffiReceiveLoop {
  protected fd = -1
  private receiving: Promise<void> | undefined
  private closing = false

  constructor(protected readonly c: Libc) {}

  /**
   * Calls `start` (one asynchronous receive) over and over until closed: `prepare` runs before
   * each call, `deliver` gets each read of n > 0 bytes (it never throws: a bug there must not stop
   * receiving), and an error or an empty read (EINTR, ENOMEM) retries 10 ms later, not spinning.
   */
  protected loop(start: (fd: number, callback: (err: unknown, n: number) => void) => void, deliver: (n: number) => void, prepare: () => void = () => {}): void {
    exitHookFor(this.c)
    const next = (): void => {
      if (this.closing) return
      prepare()
      let done!: () => void
      this.receiving = new Promise((resolve) => (done = resolve))
      pending.add(this.fd)
      start(this.fd, (err, n) => {
        pending.delete(this.fd)
        this.receiving = undefined
        done()
        if (this.closing) return
        if (!err && n > 0) {
          try {
            deliver(n)
          } catch {
            // The handler is the transport's and never throws; a bug there must not stop receiving.
          }
          return next()
        }
        setTimeout(next, 10)
      })
    }
    next()
  }

  async close(): Promise<void> {
    if (this.closing) return this.receiving
    this.closing = true
    if (this.receiving) {
      this.c.shutdown(this.fd, SHUT_RD)
      await this.receiving
    }
    this.c.close(this.fd)
    pending.delete(this.fd)
    this.fd = -1
  }
}

class KoffiRawSocket extends KoffiReceiveLoop implements RawIpSocket {
  private readonly buffer = Buffer.alloc(RECEIVE_BYTES)

  constructor(c: Libc, options: RawSocketOptions) {
    super(c)
    const what = `raw IP protocol ${options.protocol} socket on ${options.interface.name}`
    const fd = c.socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, options.protocol)
    if (fd < 0) throw systemError(c, 'socket', c.koffi.errno(), what)
    this.fd = fd
    const name = new TextEncoder().encode(`${options.interface.name}\0`)
    const set = (level: number, option: number, value: Uint8Array, call: string): void => {
      if (c.setsockopt(fd, level, option, value, value.length) < 0) {
        const errno = c.koffi.errno()
        c.close(fd)
        throw systemError(c, `setsockopt(${call})`, errno, what)
      }
    }
    set(SOL_SOCKET, SO_BINDTODEVICE, name, 'SO_BINDTODEVICE')
    set(IPPROTO_IP, IP_HDRINCL, int32(1), 'IP_HDRINCL')
    set(IPPROTO_IP, IP_TTL, int32(255), 'IP_TTL')
    set(IPPROTO_IP, IP_MULTICAST_TTL, int32(255), 'IP_MULTICAST_TTL')
    set(IPPROTO_IP, IP_MULTICAST_LOOP, int32(0), 'IP_MULTICAST_LOOP')
    if (options.multicastGroup !== undefined) {
      set(IPPROTO_IP, IP_MULTICAST_IF, ipMreqn('0.0.0.0', options.localAddress, options.interface.index), 'IP_MULTICAST_IF')
      set(IPPROTO_IP, IP_ADD_MEMBERSHIP, ipMreqn(options.multicastGroup, options.localAddress, options.interface.index), 'IP_ADD_MEMBERSHIP')
    }
  }

  send(datagram: Uint8Array, destination: string): void {
    if (this.fd < 0) throw new Error('raw socket is closed')
    const to = sockaddrIn(destination)
    if (this.c.sendto(this.fd, datagram, datagram.length, MSG_DONTWAIT, to, to.length) < 0) {
      const errno = this.c.koffi.errno()
      throw new Error(`sendto ${destination}: ${this.c.strerror(errno)}`)
    }
  }

  receive(onDatagram: (datagram: Uint8Array) => void): void {
    const address = BigInt(this.c.koffi.address(this.buffer))
    this.loop(
      (fd, callback) => this.c.recv.async(fd, address, RECEIVE_BYTES, 0, callback),
      (n) => onDatagram(new Uint8Array(this.buffer.subarray(0, n))),
    )
  }
}

function exitHookFor(c: Libc): void {
  if (exitHook) return
  exitHook = true
  process.on('exit', () => {
    for (const fd of pending) c.shutdown(fd, SHUT_RD)
  })
}

class KoffiRawSocket6 extends KoffiReceiveLoop implements RawIp6Socket {
  private readonly index: number
  private readonly payload = Buffer.alloc(RECEIVE_BYTES)
  private readonly name = Buffer.alloc(28)
  private readonly control = Buffer.alloc(CONTROL_BYTES)
  private readonly iov = Buffer.alloc(16)
  private readonly msg = Buffer.alloc(56)

  constructor(c: Libc, options: RawSocket6Options) {
    super(c)
    const what = `raw IPv6 next-header ${options.protocol} socket on ${options.interface.name}`
    this.index = options.interface.index
    const fd = c.socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, options.protocol)
    if (fd < 0) throw systemError(c, 'socket', c.koffi.errno(), what)
    this.fd = fd
    const fail = (call: string): never => {
      const errno = c.koffi.errno()
      c.close(fd)
      throw systemError(c, call, errno, what)
    }
    const set = (level: number, option: number, value: Uint8Array, call: string): void => {
      if (c.setsockopt(fd, level, option, value, value.length) < 0) fail(`setsockopt(${call})`)
    }
    set(SOL_SOCKET, SO_BINDTODEVICE, new TextEncoder().encode(`${options.interface.name}\0`), 'SO_BINDTODEVICE')
    // -1: the kernel neither computes nor checks a checksum (the default for protocols other than
    // ICMPv6, said explicitly): the codec writes VRRP's over the pseudo-header and verifies it.
    set(IPPROTO_IPV6, IPV6_CHECKSUM, int32(-1), 'IPV6_CHECKSUM')
    set(IPPROTO_IPV6, IPV6_UNICAST_HOPS, int32(255), 'IPV6_UNICAST_HOPS')
    set(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, int32(255), 'IPV6_MULTICAST_HOPS')
    set(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, int32(0), 'IPV6_MULTICAST_LOOP')
    set(IPPROTO_IPV6, IPV6_MULTICAST_IF, int32(this.index), 'IPV6_MULTICAST_IF')
    set(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, int32(1), 'IPV6_RECVHOPLIMIT')
    set(IPPROTO_IPV6, IPV6_RECVPKTINFO, int32(1), 'IPV6_RECVPKTINFO')
    if (options.multicastGroup !== undefined) set(IPPROTO_IPV6, IPV6_JOIN_GROUP, ipv6Mreq(options.multicastGroup, this.index), 'IPV6_JOIN_GROUP')
    // Bound to the link-local address: every advert leaves from it, as RFC 5798 §5.1.2.1 requires.
    const local = sockaddrIn6(options.localAddress, this.index)
    if (c.bind(fd, local, local.length) < 0) fail(`bind(${options.localAddress})`)
    const address = (b: Buffer): bigint => BigInt(c.koffi.address(b))
    this.iov.writeBigUInt64LE(address(this.payload), 0)
    this.iov.writeBigUInt64LE(BigInt(RECEIVE_BYTES), 8)
    this.msg.writeBigUInt64LE(address(this.name), 0)
    this.msg.writeUInt32LE(this.name.length, 8)
    this.msg.writeBigUInt64LE(address(this.iov), 16)
    this.msg.writeBigUInt64LE(1n, 24)
    this.msg.writeBigUInt64LE(address(this.control), 32)
  }

  send(payload: Uint8Array, destination: string): void {
    if (this.fd < 0) throw new Error('raw socket is closed')
    const to = sockaddrIn6(destination, this.index)
    if (this.c.sendto(this.fd, payload, payload.length, MSG_DONTWAIT, to, to.length) < 0) {
      throw new Error(`sendto ${destination}: ${this.c.strerror(this.c.koffi.errno())}`)
    }
  }

  receive(onDatagram: (datagram: RawIp6Datagram) => void): void {
    const msg = BigInt(this.c.koffi.address(this.msg))
    this.loop(
      (fd, callback) => this.c.recvmsg.async(fd, msg, 0, callback),
      (n) => {
        const controlLength = Number(this.msg.readBigUInt64LE(40))
        const { hopLimit, destination } = parseIpv6Control(new Uint8Array(this.control.subarray(0, Math.min(controlLength, CONTROL_BYTES))))
        onDatagram({
          payload: new Uint8Array(this.payload.subarray(0, n)),
          source: addressText(new Uint8Array(this.name.subarray(8, 24))),
          destination: destination ? addressText(destination) : '::',
          hopLimit,
        })
      },
      () => {
        // recvmsg rewrites the lengths: reset them each time.
        this.msg.writeUInt32LE(this.name.length, 8)
        this.msg.writeBigUInt64LE(BigInt(CONTROL_BYTES), 40)
        this.msg.writeInt32LE(0, 48)
      },
    )
  }
}

/** struct sockaddr_ll for sending to the Ethernet broadcast address out of `index`. */
function sockaddrLl(index: number): Uint8Array {
  const out = new Uint8Array(20)
  const view = new DataView(out.buffer)
  view.setUint16(0, AF_PACKET, true)
  view.setUint16(2, ETH_P_ARP) // network byte order
  view.setInt32(4, index, true)
  out[11] = 6 // sll_halen
  out.fill(0xff, 12, 18)
  return out
}

function readSys(name: string, file: string): string | undefined {
  const path = `/sys/class/net/${name}/${file}`
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined
}

/**
 * The interface's IPv4 addresses without a label of their own, primary first: from `ip -j -4
 * addr` (which lists an interface whatever its carrier), else from `os.networkInterfaces()`
 * (which leaves out an interface that is not up and running, so a veth whose peer is not up yet
 * would show no address).
 */
function interfaceIpv4(name: string): string[] {
  try {
    const out = execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', name], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] })
    const links = JSON.parse(out) as { addr_info?: { local?: string; label?: string; secondary?: boolean }[] }[]
    const addresses = links.flatMap((l) => l.addr_info ?? []).filter((a) => a.local !== undefined && (a.label === undefined || a.label === name))
    return [...addresses.filter((a) => !a.secondary), ...addresses.filter((a) => a.secondary)].map((a) => a.local!)
  } catch {
    return (networkInterfaces()[name] ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address)
  }
}

/** The interface's IPv6 link-local addresses (`ip -j -6 addr show dev X scope link`), not tentative ones first. */
function interfaceLinkLocal(name: string): string[] {
  try {
    const out = execFileSync('ip', ['-j', '-6', 'addr', 'show', 'dev', name, 'scope', 'link'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] })
    const links = JSON.parse(out) as { addr_info?: { local?: string; tentative?: boolean }[] }[]
    const addresses = links.flatMap((l) => l.addr_info ?? []).filter((a) => a.local?.toLowerCase().startsWith('fe80') === true)
    return [...addresses.filter((a) => !a.tentative), ...addresses.filter((a) => a.tentative)].map((a) => a.local!)
  } catch {
    return (networkInterfaces()[name] ?? []).filter((a) => a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')).map((a) => a.address.split('%')[0]!)
  }
}

/** The real host: koffi sockets, /sys/class/net, `child_process.spawn`. */
export const nodeVrrpHost: VrrpHost = {
  interfaceInfo(name) {
    // A name with a slash or dots would read another file of /sys.
    if (!/^[^/\s]{1,15}$/.test(name) || name === '.' || name === '..') return undefined
    const index = Number(readSys(name, 'ifindex'))
    if (!Number.isInteger(index) || index <= 0) return undefined
    return { name, index, mac: readSys(name, 'address') ?? '00:00:00:00:00:00', ipv4: interfaceIpv4(name), ipv6LinkLocal: interfaceLinkLocal(name) }
  },

  openRawSocket: (options) => new KoffiRawSocket(loadLibc(), options),
  openRawSocket6: (options) => new KoffiRawSocket6(loadLibc(), options),

  sendFrames(iface, frames) {
    const c = loadLibc()
    const what = `AF_PACKET socket on ${iface.name}`
    const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, ((ETH_P_ARP & 0xff) << 8) | (ETH_P_ARP >> 8))
    if (fd < 0) throw systemError(c, 'socket', c.koffi.errno(), what)
    try {
      const to = sockaddrLl(iface.index)
      for (const frame of frames) {
        if (c.sendto(fd, frame, frame.length, 0, to, to.length) < 0) throw systemError(c, 'sendto', c.koffi.errno(), what)
      }
    } finally {
      c.close(fd)
    }
  },

  run: (command, args, options = {}) =>
    new Promise<VrrpCommandResult>((resolve, reject) => {
      // Detached: a timeout kills the whole process group, so a script's own children die with it.
      const child = spawn(command, [...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      let timedOut = false
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-65536)))
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)))
      const kill = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), kill()), options.timeoutMs)
      child.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      child.once('close', (code, signal) => {
        clearTimeout(timer)
        resolve({ code, signal, stdout, stderr, timedOut })
      })
    }),
}
