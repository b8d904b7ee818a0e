/**
 * Node roles: what one process runs inside one namespace in namespace mode. The parent builds
 * the namespaces and starts, in each host's namespace, `dns-ha netns-node '<NetnsNodeSpec JSON>'`;
 * that process looks the role up by name here and starts it. A role reports what happens as
 * {@link NetnsNodeEvent}s, which the process prints as JSON lines for the parent to read.
 *
 * An example is a list of hosts, each with a role (or none: a client). Adding an example to
 * namespace mode is adding its roles and its {@link NetnsExampleDefinition}, nothing else.
 */

/** What a node process is told to run (the JSON argument of `dns-ha netns-node`). */
export interface NetnsNodeSpec {
  /** The role's name in the registry. */
  role: string
  /** This host's name in the example (`a`, `b`, `upstream`...). */
  node: string
  /** The interface on the bridge (inside this namespace). */
  interface: string
  /** This host's address. */
  address: string
  /** Every host of the example by name: its address (peers, upstream, clients). */
  hosts: Record<string, string>
  /** The virtual address the VRRP routers move. */
  vip: string
  /** keepalived `advert_int` in ms (whole seconds: VRRPv2 with the seed's PASS; otherwise VRRPv3). */
  advertIntervalMs: number
}

/** What a role reports; the node process adds `at` (epoch ms) and prints it as one JSON line. */
export type NetnsNodeEvent =
  | { type: 'vrrp'; from: string; to: string; reason: string }
  | { type: 'member'; member: string; state: 'up' | 'down'; reason: string }
  | { type: 'warning'; message: string }

/** A started role. */
export interface NetnsRoleInstance {
  /** What runs and where, one line each (printed by the parent). */
  describe: string[]
  /** Stops everything the role started (a VRRP router gives up with priority 0 and removes its VIP). */
  close(): Promise<void>
}

/** A kind of node. */
export interface NetnsRole {
  /** The registry key (`dns-ha netns-node` finds the role by it). */
  name: string
  /** One line for people. */
  summary: string
  /** Starts the role in the current namespace; rejects when a piece cannot start. */
  start(spec: NetnsNodeSpec, emit: (event: NetnsNodeEvent) => void): Promise<NetnsRoleInstance>
}

/** A query the example's printout suggests (by default run from the client namespace against the VIP). */
export interface NetnsTryQuery {
  name: string
  /** The host whose namespace asks (default: the example's `client`). */
  from?: string
  /** The host asked, on port 53 (default: the VIP). */
  to?: string
  /** dig arguments before the name (e.g. `-x`), if any. */
  flag?: string
  comment: string
  /** The addresses a right answer holds (what the test expects). */
  expect?: string[]
}

/** One topology runnable in namespace mode. */
export interface NetnsExampleDefinition {
  name: string
  /** One line for people. */
  summary: string
  /**
   * The hosts in start order; a host without a role is a client namespace. `number` is the
   * host's last octet when its position will not do (see `NetnsLabOptions.numbers`).
   */
  hosts: { name: string; role?: string; number?: number }[]
  /** The hosts whose routers move the VIP (what `holders()` looks at; empty: no VIP). */
  vipHosts: string[]
  /** The client namespace's host name. */
  client: string
  /** The backup router's priority, for the takeover bound people are told (default 100; its skew is (256 − priority) × advert / 256). */
  backupPriority?: number
  /** The queries to suggest. */
  tryQueries: NetnsTryQuery[]
}
