/**
 * From a keepalived LVS `virtual_server` to a pool and its health checks:
 * {@link poolOptionsFromKeepalived} turns one entry of `parseKeepalivedConf(text).virtualServers`
 * into `UdpProxyPool` options, where to listen, and `HealthProber` targets (one per real server,
 * named as the pool files its members, `address#port`), so `pool.track(prober)` follows
 * keepalived's checks, and {@link startKeepalivedPool} does all of it in one call: pool built,
 * prober targets added, tracked, listening. What LVS does that a DNS pool cannot mean is refused,
 * not approximated.
 */
import { allOf } from '../health/composite.js'
import { dnsCheck } from '../health/dns-check.js'
import { httpCheck } from '../health/http-check.js'
import { memberTarget } from '../health/member-target.js'
import type { ProcessRunner } from '../health/node-process.js'
import { scriptCheck } from '../health/script-check.js'
import { tcpCheck } from '../health/tcp-check.js'
import { HealthProber } from '../health/prober.js'
import type { HealthCheck, TargetOptions } from '../health/types.js'
import type { BalancePolicy } from '../pool/balancers.js'
import { DnsHaError } from '../util/errors.js'
import type { Network } from '../util/network.js'
import type { KeepalivedCheck, KeepalivedRealServer, KeepalivedVirtualServer } from '../vrrp/keepalived-config.js'
import { splitKeepalivedCommand } from '../vrrp/keepalived-options.js'
import type { ProxyMemberOptions, UdpProxyPoolOptions } from './options.js'
import type { ProxyListenOptions } from './udp-proxy-pool.js'
import { UdpProxyPool } from './udp-proxy-pool.js'

/** What {@link poolOptionsFromKeepalived} returns. */
export interface KeepalivedPoolSetup {
  options: UdpProxyPoolOptions
  /** The virtual server's address and port; `protocol UDP` serves UDP only, `TCP` (keepalived's default) TCP only. */
  listen: Required<ProxyListenOptions>
  /** One prober target per real server with checks (all of its checks must pass, as in keepalived). */
  targets: TargetOptions[]
  /** Members written with `inhibit_on_failure` (`address#port`): LVS keeps their connections at weight 0; a DNS pool has none to keep, so a failed one is simply not asked. */
  inhibitOnFailure: string[]
}

/** Seams for the checks the targets run. */
export interface KeepalivedPoolSeams {
  network?: Network
  runner?: ProcessRunner
}

/** Options of {@link startKeepalivedPool} beyond the pool's: where to listen, and whose prober runs the checks. */
export interface KeepalivedPoolStartOptions extends KeepalivedPoolSeams {
  /** Replaces parts of the virtual server's address (`{ address: '127.0.0.1', port: 0 }` on a test machine). */
  listen?: Partial<ProxyListenOptions>
  /** Runs the checks; default a new `HealthProber` on the pool's clock, closed with the pool. A prober passed in is shared: closing removes only the targets added here. */
  prober?: HealthProber
}

/** A running keepalived `virtual_server`: {@link startKeepalivedPool}'s result. */
export interface KeepalivedPool {
  pool: UdpProxyPool
  prober: HealthProber
  /** What the configuration mapped to (options, targets, `inhibitOnFailure`), and the listen address asked for. */
  setup: KeepalivedPoolSetup
  /** The addresses the pool listens on (`port` filled in when 0 was asked). */
  address: { address: string; port: number }
  /** Stops tracking, removes the targets (closing a prober this call created) and closes the pool. */
  close(): Promise<void>
}

/** keepalived's defaults: `delay_loop` 60 s, `connect_timeout` 5 s. */
const DEFAULT_DELAY_LOOP_S = 60
const DEFAULT_CONNECT_TIMEOUT_S = 5

/**
 * The pool options, listen address and health targets of one parsed `virtual_server`. `lb_algo`
 * rr and lc ignore weights (every member with weight > 0 counts as 1), as LVS does; wrr and wlc
 * use them; sh and mh hash the client address; fo asks the heaviest available member first.
 * Throws `DnsHaError` `ERR_PROXY_CONFIG` for an algorithm, protocol or check without an equivalent.
 */
export function poolOptionsFromKeepalived(
  server: KeepalivedVirtualServer,
  overrides: Partial<UdpProxyPoolOptions> = {},
  seams: KeepalivedPoolSeams = {},
): KeepalivedPoolSetup {
  const where = `${server.location.file}:${server.location.line}: virtual_server ${server.address} ${server.port}`
  const fail = (message: string): never => {
    throw new DnsHaError('ERR_PROXY_CONFIG', `${where}: ${message}`, { details: { file: server.location.file, line: server.location.line } })
  }
  const algo = server.lbAlgo ?? 'wlc'
  const policy = POLICIES[algo] ?? fail(`lb_algo ${algo} has no equivalent here (use rr, wrr, lc, wlc, sh, mh or fo)`)
  const protocol = server.protocol ?? 'TCP'
  if (protocol === 'SCTP') fail('protocol SCTP is not proxied')
  if (server.realServers.length === 0) fail('no real_server')
  const unweighted = algo === 'rr' || algo === 'lc'
  const member = (rs: KeepalivedRealServer | { address: string; port: number; weight?: number }, backup: boolean): ProxyMemberOptions => {
    const weight = rs.weight ?? 1
    return { address: rs.address, port: rs.port, weight: unweighted ? Math.min(weight, 1) : weight, ...(backup ? { backup: true } : {}) }
  }
  let members = server.realServers.map((rs) => member(rs, false))
  // fo: the heaviest available member takes everything; 'first' asks in order.
  if (algo === 'fo') members = [...members].sort((a, b) => (b.weight ?? 1) - (a.weight ?? 1))
  if (server.sorryServer !== undefined) members.push(member(server.sorryServer, true))

  const intervalMs = (server.delayLoop ?? DEFAULT_DELAY_LOOP_S) * 1000
  const targets: TargetOptions[] = []
  for (const rs of server.realServers) {
    if (rs.checks.length === 0) continue
    const built = rs.checks.map((check) => buildCheck(check, rs, seams, fail))
    const retries = rs.checks.map((c) => (c.kind === 'misc' ? undefined : c.retry)).filter((r): r is number => r !== undefined)
    const delays = rs.checks.map((c) => (c.kind === 'misc' ? undefined : c.delayBeforeRetry)).filter((d): d is number => d !== undefined)
    const timeouts = rs.checks.map((c) => (c.kind === 'misc' ? (c.timeout ?? server.delayLoop ?? DEFAULT_DELAY_LOOP_S) : (c.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_S)))
    const target: TargetOptions = {
      name: memberTarget(rs.address, rs.port),
      check: built.length === 1 ? built[0]! : allOf(...built),
      intervalMs,
      timeoutMs: Math.max(...timeouts) * 1000,
      fall: Math.max(1, ...retries),
      rise: 1,
      weight: rs.weight ?? 1,
    }
    if (delays.length > 0) target.delayBeforeRetryMs = Math.max(...delays) * 1000
    targets.push(target)
  }
  const options: UdpProxyPoolOptions = { members, policy, ...overrides }
  return {
    options,
    listen: { address: server.address, port: server.port, udp: protocol === 'UDP', tcp: protocol === 'TCP' },
    targets,
    inhibitOnFailure: server.realServers.filter((rs) => rs.inhibitOnFailure).map((rs) => memberTarget(rs.address, rs.port)),
  }
}

const POLICIES: Record<string, BalancePolicy> = {
  rr: 'round-robin',
  wrr: 'round-robin',
  lc: 'least-outstanding',
  wlc: 'least-outstanding',
  sh: 'hash',
  mh: 'hash',
  fo: 'first',
}

function buildCheck(check: KeepalivedCheck, rs: KeepalivedRealServer, seams: KeepalivedPoolSeams, fail: (message: string) => never): HealthCheck {
  const network = seams.network ? { network: seams.network } : {}
  switch (check.kind) {
    case 'misc': {
      const [command, ...args] = splitKeepalivedCommand(check.path)
      if (command === undefined) return fail('MISC_CHECK misc_path is empty')
      return scriptCheck({ command, args, dynamic: check.dynamic, ...(check.timeout !== undefined ? { timeoutMs: check.timeout * 1000 } : {}), ...(seams.runner ? { runner: seams.runner } : {}) })
    }
    case 'dns':
      // keepalived's DNS_CHECK defaults: type SOA, name ".", any NOERROR answer.
      return dnsCheck({ server: { address: check.connectIp ?? rs.address, port: check.connectPort ?? rs.port }, name: check.name ?? '.', type: check.type ?? 'SOA', ...network })
    case 'tcp':
      return tcpCheck({ address: check.connectIp ?? rs.address, port: check.connectPort ?? rs.port, ...network })
    case 'http': {
      const host = check.connectIp ?? rs.address
      const authority = `${host.includes(':') ? `[${host}]` : host}:${check.connectPort ?? rs.port}`
      const urls = check.urls.map((url) => {
        if (url.digest !== undefined) fail(`${check.tls ? 'SSL_GET' : 'HTTP_GET'} url ${url.path}: digest (an MD5 of the body) is not supported; use status_code`)
        return httpCheck({ url: `${check.tls ? 'https' : 'http'}://${authority}${url.path}`, ...(url.statusCode !== undefined ? { status: url.statusCode } : {}) })
      })
      return urls.length === 1 ? urls[0]! : allOf(...urls)
    }
  }
}

/**
 * Runs one parsed `virtual_server` as keepalived would: the pool of its real servers, a prober
 * running each real server's checks (`MISC_CHECK`, `DNS_CHECK`, `TCP_CHECK`, `HTTP_GET`) with
 * `pool.track(prober)` (a failing real server is not asked; dynamic `MISC_CHECK` weights become
 * member weights), listening where the configuration says (or `start.listen`). Throws like
 * {@link poolOptionsFromKeepalived}; a listen failure closes everything it started and rethrows.
 */
export async function startKeepalivedPool(
  server: KeepalivedVirtualServer,
  overrides: Partial<UdpProxyPoolOptions> = {},
  start: KeepalivedPoolStartOptions = {},
): Promise<KeepalivedPool> {
  const seams: KeepalivedPoolSeams = {}
  if (start.network) seams.network = start.network
  if (start.runner) seams.runner = start.runner
  const setup = poolOptionsFromKeepalived(server, overrides, seams)
  const listen = { ...setup.listen, ...start.listen }
  setup.listen = listen
  const ownProber = start.prober === undefined
  const prober = start.prober ?? new HealthProber(setup.options.clock ? { clock: setup.options.clock } : {})
  const pool = new UdpProxyPool(setup.options)
  const stopTracking = pool.track(prober)
  const added: string[] = []
  const close = async (): Promise<void> => {
    stopTracking()
    if (ownProber) prober.close()
    else for (const name of added) prober.remove(name)
    await pool.close()
  }
  try {
    for (const target of setup.targets) {
      prober.add(target)
      added.push(target.name)
    }
    const address = await pool.listen(listen)
    return { pool, prober, setup, address: { address: address.address, port: address.port }, close }
  } catch (error) {
    await close()
    throw error
  }
}
