/**
 * The typed shape of a keepalived.conf, as {@link parseKeepalivedConf} reads it: global_defs,
 * vrrp_script, vrrp_instance and virtual_server (LVS) with their real servers and checks.
 * Numbers keep keepalived's units (seconds); the mappings convert to ms.
 */

/** Where something was written: file, 1-based line and column. */
export interface KeepalivedLocation {
  file: string
  line: number
  column: number
}

/**
 * Something keepalived accepts but reports: it goes on (truncating, rounding, clearing), yet
 * `keepalived --config-test` exits non-zero when `configTestFails`.
 */
export interface KeepalivedWarning extends KeepalivedLocation {
  message: string
  /** keepalived `--config-test` fails on this (it reports it as a configuration error and carries on). */
  configTestFails: boolean
}

/** A keyword keepalived knows and we accept but do not act on (keepalived internals): kept so callers can say so. */
export interface KeepalivedUnused extends KeepalivedLocation {
  /** The block it was in: `global_defs`, `vrrp_instance VI_1`, `top level`, ... */
  section: string
  keyword: string
  args: string[]
}

/** `global_defs`: the keywords that change how a router behaves. */
export interface KeepalivedGlobalDefs {
  routerId?: string
  /** `vrrp_version` (keepalived's default is 2). */
  vrrpVersion?: 2 | 3
  /** `script_user USER [GROUP]`. */
  scriptUser?: { user: string; group?: string }
  enableScriptSecurity: boolean
  /** `vrrp_garp_master_delay` (s): the second burst of gratuitous ARPs after becoming master. */
  garpMasterDelay?: number
  /** `vrrp_garp_master_repeat`: gratuitous ARPs per burst. */
  garpMasterRepeat?: number
  /** `vrrp_garp_master_refresh` (s): repeat the gratuitous ARPs this often while master (0: never). */
  garpMasterRefresh?: number
  location?: KeepalivedLocation
}

/** `vrrp_script NAME { ... }`: a check a `track_script` refers to. */
export interface KeepalivedVrrpScript {
  name: string
  /** The command line, as written (keepalived splits it into words itself; no shell). */
  script: string
  /** Seconds between runs (keepalived default 1). */
  interval?: number
  /** Seconds before a run counts as failed (keepalived default: `interval`). */
  timeout?: number
  /** Priority change (-254..254; default 0: a failing script puts the instance in FAULT). */
  weight?: number
  /** Successes before up (default 1). */
  rise?: number
  /** Failures before down (default 1). */
  fall?: number
  /** `user USER [GROUP]`. */
  user?: { user: string; group?: string }
  location: KeepalivedLocation
}

/** One `virtual_ipaddress` line: `ADDR[/LEN] [brd X] [dev IF] [scope S] [label L]`. */
export interface KeepalivedVip {
  address: string
  /** The prefix length when written (`/24`); keepalived's default is the full length. */
  prefixLength?: number
  broadcast?: string
  dev?: string
  scope?: string
  label?: string
  location: KeepalivedLocation
}

/** One `unicast_peer` line: `ADDR [min_ttl N] [max_ttl N]`. */
export interface KeepalivedUnicastPeer {
  address: string
  minTtl?: number
  maxTtl?: number
  location: KeepalivedLocation
}

/** One `track_script` or `track_interface` line: `NAME [weight N]`. */
export interface KeepalivedTrackRef {
  name: string
  /** Overrides the script's own weight when given. */
  weight?: number
  location: KeepalivedLocation
}

/** `vrrp_instance NAME { ... }`. Absent fields were not written; the mapping applies keepalived's defaults. */
export interface KeepalivedVrrpInstance {
  name: string
  /** `state`: only the initial state. */
  state?: 'MASTER' | 'BACKUP'
  interface?: string
  virtualRouterId?: number
  /** keepalived's default: 255 when `state MASTER`, else 100. */
  priority?: number
  /** Seconds (keepalived default 1). */
  advertInt?: number
  nopreempt: boolean
  /** Seconds, 0..1000. */
  preemptDelay?: number
  /** Instance `version`, overriding global_defs `vrrp_version`. */
  version?: 2 | 3
  unicastSrcIp?: string
  /** `mcast_src_ip`: the source of multicast adverts. */
  mcastSrcIp?: string
  unicastPeers: KeepalivedUnicastPeer[]
  authentication?: { type: 'PASS' | 'AH'; password: string; location: KeepalivedLocation }
  virtualIpaddresses: KeepalivedVip[]
  virtualIpaddressesExcluded: KeepalivedVip[]
  trackScripts: KeepalivedTrackRef[]
  trackInterfaces: KeepalivedTrackRef[]
  notify: { master?: string; backup?: string; fault?: string; stop?: string; any?: string }
  /** Seconds. */
  garpMasterDelay?: number
  /** `accept` true, `no_accept` false. */
  accept?: boolean
  unused: KeepalivedUnused[]
  location: KeepalivedLocation
  /** Where each keyword was written (the last occurrence), for the linter's findings. */
  locations: Record<string, KeepalivedLocation>
}

/** The options every LVS check shares. */
export interface KeepalivedCheckCommon {
  connectIp?: string
  connectPort?: number
  /** Seconds. */
  connectTimeout?: number
  /** Retries before a real server is marked down (`retry`, older `nb_get_retry`). */
  retry?: number
  /** Seconds. */
  delayBeforeRetry?: number
  location: KeepalivedLocation
}

/** `MISC_CHECK { misc_path, misc_timeout, misc_dynamic }`. */
export interface KeepalivedMiscCheck {
  kind: 'misc'
  /** The command line, as written. */
  path: string
  /** Seconds. */
  timeout?: number
  dynamic: boolean
  location: KeepalivedLocation
}

/** `DNS_CHECK { type, name, ... }`. */
export interface KeepalivedDnsCheck extends KeepalivedCheckCommon {
  kind: 'dns'
  /** Query type (keepalived default SOA). */
  type?: string
  /** Query name (keepalived default `.`). */
  name?: string
}

/** `TCP_CHECK { ... }`. */
export interface KeepalivedTcpCheck extends KeepalivedCheckCommon {
  kind: 'tcp'
}

/** `HTTP_GET` / `SSL_GET { url { path, status_code, digest } ... }`. */
export interface KeepalivedHttpCheck extends KeepalivedCheckCommon {
  kind: 'http'
  tls: boolean
  urls: { path: string; statusCode?: number; digest?: string }[]
}

/** A real server's health check. */
export type KeepalivedCheck = KeepalivedMiscCheck | KeepalivedDnsCheck | KeepalivedTcpCheck | KeepalivedHttpCheck

/** `real_server IP PORT { ... }`. */
export interface KeepalivedRealServer {
  address: string
  port: number
  weight?: number
  inhibitOnFailure: boolean
  checks: KeepalivedCheck[]
  location: KeepalivedLocation
}

/** `virtual_server IP PORT { ... }`. */
export interface KeepalivedVirtualServer {
  address: string
  port: number
  /** Seconds between checks. */
  delayLoop?: number
  /** rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh. */
  lbAlgo?: string
  /** NAT, DR, TUN. */
  lbKind?: string
  protocol?: 'TCP' | 'UDP' | 'SCTP'
  /** Seconds. */
  persistenceTimeout?: number
  realServers: KeepalivedRealServer[]
  sorryServer?: { address: string; port: number }
  unused: KeepalivedUnused[]
  location: KeepalivedLocation
}

/** A whole keepalived.conf (with its includes). */
export interface KeepalivedConfig {
  /** The top file's name as given. */
  file: string
  globalDefs: KeepalivedGlobalDefs
  scripts: KeepalivedVrrpScript[]
  instances: KeepalivedVrrpInstance[]
  virtualServers: KeepalivedVirtualServer[]
  /** Keywords accepted but not acted on, with where they were. */
  unused: KeepalivedUnused[]
  warnings: KeepalivedWarning[]
  /** Every file read, the top one first. */
  files: string[]
}
