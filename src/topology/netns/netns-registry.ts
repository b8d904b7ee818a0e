/**
 * The roles and examples namespace mode knows. The built-in ones are listed here (not registered
 * as an import side effect, which a bundler may drop); a program that embeds dns-ha adds its own
 * with {@link registerNetnsRole} and {@link registerNetnsExample}, in the node processes too
 * (they run `dns-ha netns-node`, which sees only the built-in roles unless the program is its own
 * node command).
 */
import { DnsHaError } from '../../util/errors.js'
import { dnsmasqNginxKeepalivedNetns, dnsmasqNginxKeepalivedNodeRole, upstreamAuthorityRole } from './dnsmasq-nginx-keepalived-netns.js'
import { bindLvsDirectorRole, bindLvsKeepalivedNetns, bindLvsPrimaryRole, bindLvsSecondaryRole } from './bind-lvs-keepalived-netns.js'
import type { NetnsExampleDefinition, NetnsRole } from './netns-role.js'
import { splitHorizonAuthorityRole, splitHorizonNetns, splitHorizonPoolRole } from './split-horizon-netns.js'

const roles = new Map<string, NetnsRole>([upstreamAuthorityRole, dnsmasqNginxKeepalivedNodeRole, splitHorizonAuthorityRole, splitHorizonPoolRole, bindLvsPrimaryRole, bindLvsSecondaryRole, bindLvsDirectorRole].map((r) => [r.name, r]))
const examples = new Map<string, NetnsExampleDefinition>([dnsmasqNginxKeepalivedNetns, splitHorizonNetns, bindLvsKeepalivedNetns].map((e) => [e.name, e]))

/** Adds a role (throws `DnsHaError` `ERR_NETNS_CONFIG` when the name is taken). */
export function registerNetnsRole(role: NetnsRole): void {
  if (roles.has(role.name)) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: a role named ${role.name} exists`)
  roles.set(role.name, role)
}

/** The role named `name`; throws `DnsHaError` `ERR_NETNS_CONFIG` naming the known ones otherwise. */
export function netnsRole(name: string): NetnsRole {
  const role = roles.get(name)
  if (role === undefined) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: no role ${JSON.stringify(name)} (there is ${[...roles.keys()].join(', ')})`)
  return role
}

/** Adds an example (throws `DnsHaError` `ERR_NETNS_CONFIG` when the name is taken or a host's role is unknown). */
export function registerNetnsExample(example: NetnsExampleDefinition): void {
  if (examples.has(example.name)) throw new DnsHaError('ERR_NETNS_CONFIG', `namespace mode: an example named ${example.name} exists`)
  for (const h of example.hosts) if (h.role !== undefined) netnsRole(h.role)
  examples.set(example.name, example)
}

/** The example named `name`, or `undefined`. */
export function netnsExample(name: string): NetnsExampleDefinition | undefined {
  return examples.get(name)
}

/** The names of the examples namespace mode runs. */
export function netnsExampleNames(): string[] {
  return [...examples.keys()]
}
