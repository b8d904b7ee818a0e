// A VrrpHost in memory: interfaces the test declares, raw sockets that record what is sent and
// let the test inject received datagrams, recorded frames, and a command runner that answers
// from a script the test writes.
import type { RawIp6Datagram, RawIp6Socket, RawSocket6Options, VrrpCommandResult, VrrpInterfaceInfo, RawIpSocket, RawSocketOptions, VrrpHost } from '../../src/vrrp/node-host.js'

export class FakeRawSocket implements RawIpSocket {
  readonly sent: { datagram: Uint8Array; destination: string }[] = []
  closed = false
  failSend: Error | undefined
  private handler: ((d: Uint8Array) => void) | undefined
  constructor(readonly options: RawSocketOptions) {}
  send(datagram: Uint8Array, destination: string): void {
    if (this.failSend) throw this.failSend
    this.sent.push({ datagram, destination })
  }
  receive(onDatagram: (d: Uint8Array) => void): void {
    this.handler = onDatagram
  }
  /** Delivers a datagram as the kernel would. */
  inject(datagram: Uint8Array): void {
    this.handler?.(datagram)
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

export class FakeRawSocket6 implements RawIp6Socket {
  readonly sent: { payload: Uint8Array; destination: string }[] = []
  closed = false
  failSend: Error | undefined
  private handler: ((d: RawIp6Datagram) => void) | undefined
  constructor(readonly options: RawSocket6Options) {}
  send(payload: Uint8Array, destination: string): void {
    if (this.failSend) throw this.failSend
    this.sent.push({ payload, destination })
  }
  receive(onDatagram: (d: RawIp6Datagram) => void): void {
    this.handler = onDatagram
  }
  inject(datagram: RawIp6Datagram): void {
    this.handler?.(datagram)
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

export interface FakeCall {
  command: string
  args: string[]
  timeoutMs: number | undefined
}

export class FakeHost implements VrrpHost {
  readonly interfaces = new Map<string, VrrpInterfaceInfo>()
  readonly sockets: FakeRawSocket[] = []
  readonly sockets6: FakeRawSocket6[] = []
  readonly frames: { iface: string; frames: Uint8Array[] }[] = []
  readonly calls: FakeCall[] = []
  /** What a command returns; default exit 0. Throw to model a command that cannot start. */
  answer: (call: FakeCall) => Partial<VrrpCommandResult> | Promise<Partial<VrrpCommandResult>> = () => ({})
  openError: Error | undefined
  framesError: Error | undefined

  constructor(interfaces: VrrpInterfaceInfo[] = []) {
    for (const i of interfaces) this.interfaces.set(i.name, i)
  }
  interfaceInfo(name: string): VrrpInterfaceInfo | undefined {
    return this.interfaces.get(name)
  }
  openRawSocket(options: RawSocketOptions): RawIpSocket {
    if (this.openError) throw this.openError
    const socket = new FakeRawSocket(options)
    this.sockets.push(socket)
    return socket
  }
  openRawSocket6(options: RawSocket6Options): RawIp6Socket {
    if (this.openError) throw this.openError
    const socket = new FakeRawSocket6(options)
    this.sockets6.push(socket)
    return socket
  }
  sendFrames = (iface: VrrpInterfaceInfo, frames: readonly Uint8Array[]): void => {
    if (this.framesError) throw this.framesError
    this.frames.push({ iface: iface.name, frames: [...frames] })
  }
  run = async (command: string, args: readonly string[], options?: { timeoutMs?: number }): Promise<VrrpCommandResult> => {
    const call = { command, args: [...args], timeoutMs: options?.timeoutMs }
    this.calls.push(call)
    const r = await this.answer(call)
    return { code: 0, signal: null, stdout: '', stderr: '', timedOut: false, ...r }
  }
}

export const eth0: VrrpInterfaceInfo = { name: 'eth0', index: 3, mac: '02:00:5e:10:20:30', ipv4: ['192.0.2.10', '192.0.2.11'], ipv6LinkLocal: ['fe80::5eff:fe10:2030'] }
