/**
 * The node side of namespace mode (what `dns-ha netns-node '<spec>'` runs inside a namespace):
 * checks the spec, starts its role, and prints one JSON line per event for the parent:
 * `{"netns":"ready","at":...,"describe":[...]}` once the role runs, then `{"netns":"vrrp",...}`,
 * `{"netns":"member",...}`, `{"netns":"warning",...}` as they happen.
 */
import { realClock, type Clock } from '../../util/clock.js'
import { DnsHaError } from '../../util/errors.js'
import type { NetnsNodeSpec, NetnsRoleInstance } from './netns-role.js'
import { netnsRole } from './netns-registry.js'

/** The JSON lines a node prints: `netns` names the event, `at` is epoch ms. */
export type NetnsNodeLine = { netns: string; at: number } & Record<string, unknown>

/**
 * Parses the JSON argument of `dns-ha netns-node`; throws `DnsHaError` `ERR_NETNS_CONFIG` on
 * anything that is not a complete {@link NetnsNodeSpec}.
 */
export function parseNetnsNodeSpec(text: string): NetnsNodeSpec {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new DnsHaError('ERR_NETNS_CONFIG', `netns-node: the spec is not JSON: ${(error as Error).message}`)
  }
  const v = value as Partial<NetnsNodeSpec> | null
  const strings = ['role', 'node', 'interface', 'address', 'vip'] as const
  const bad = v === null || typeof v !== 'object' ? 'not an object' : strings.find((k) => typeof v[k] !== 'string') ?? (typeof v.advertIntervalMs !== 'number' || !(v.advertIntervalMs > 0) ? 'advertIntervalMs' : typeof v.hosts !== 'object' || v.hosts === null ? 'hosts' : undefined)
  if (bad !== undefined) throw new DnsHaError('ERR_NETNS_CONFIG', `netns-node: the spec's ${bad} is missing or wrong`)
  return v as NetnsNodeSpec
}

/** Starts the spec's role here, printing its events through `out`; resolves once it runs (after the `ready` line). */
export async function startNetnsNode(spec: NetnsNodeSpec, out: (line: string) => void, clock: Clock = realClock): Promise<NetnsRoleInstance> {
  const print = (netns: string, fields: Record<string, unknown>): void => out(JSON.stringify({ netns, at: clock.now(), ...fields }))
  const instance = await netnsRole(spec.role).start(spec, (event) => {
    const { type, ...fields } = event
    print(type, fields)
  })
  print('ready', { describe: instance.describe })
  return instance
}
