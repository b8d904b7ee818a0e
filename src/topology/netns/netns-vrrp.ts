/**
 * The keepalived of a namespace node: a {@link VrrpRouter} over a raw protocol-112 socket on the
 * node's bridge interface, unicast to its peer, holding the run's VIP with real addresses. Every
 * example whose nodes run keepalived starts it the same way; only the router options differ.
 */
import { LinuxVip, RawTransport, VrrpRouter } from '../../vrrp/index.js'
import type { VrrpRouterOptions } from '../../vrrp/index.js'
import type { NetnsNodeEvent, NetnsNodeSpec } from './netns-role.js'

/** The router options a node's keepalived.conf gives, less what the run's addresses decide. */
export type NetnsVrrpOptions = Omit<VrrpRouterOptions, 'vips' | 'primaryAddress' | 'unicastPeers' | 'transport' | 'vipActions'>

/**
 * Starts the node's router with `options`, its unicast_src_ip / unicast_peer / VIP the run's
 * addresses, reporting state changes and warnings as node events; `stops` gets its stop.
 */
export async function startNetnsVrrp(
  spec: NetnsNodeSpec,
  options: NetnsVrrpOptions,
  peer: string,
  emit: (event: NetnsNodeEvent) => void,
  stops: (() => Promise<void>)[],
): Promise<VrrpRouter> {
  const router = new VrrpRouter({
    ...options,
    vips: [spec.vip],
    primaryAddress: spec.address,
    unicastPeers: [peer],
    transport: new RawTransport({ interface: spec.interface, localAddress: spec.address, multicast: false }),
    vipActions: new LinuxVip({ interface: spec.interface, onError: (error) => emit({ type: 'warning', message: error.message }) }),
  })
  router.on('state', ({ from, to, reason }) => emit({ type: 'vrrp', from, to, reason }))
  router.on('warning', ({ message }) => emit({ type: 'warning', message }))
  await router.start()
  stops.push(() => router.stop())
  return router
}
