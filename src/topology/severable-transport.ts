/**
 * A VRRP transport that can be cut, to stand for a machine that dies: after `sever()` nothing it
 * sends leaves and nothing arrives, so the router's last words (the priority-0 advert of a clean
 * stop) are lost exactly as they are when the power goes. The peer learns of the death only from
 * silence, after Master_Down_Interval, as with keepalived killed by SIGKILL.
 */
import type { VrrpInbound, VrrpTransport } from '../vrrp/index.js'

/** Wraps a transport; {@link SeverableTransport.sever} makes it deaf and mute. */
export class SeverableTransport implements VrrpTransport {
  private severed = false

  constructor(private readonly inner: VrrpTransport) {}

  get localAddress(): string {
    return this.inner.localAddress
  }

  get unicastOnly(): boolean {
    return this.inner.unicastOnly
  }

  open(onMessage: (message: VrrpInbound) => void): Promise<void> {
    return this.inner.open((message) => {
      if (!this.severed) onMessage(message)
    })
  }

  send(bytes: Uint8Array, destination: string, onError: (err: Error) => void): void {
    if (!this.severed) this.inner.send(bytes, destination, onError)
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  /** From now on nothing is sent or delivered. */
  sever(): void {
    this.severed = true
  }
}
