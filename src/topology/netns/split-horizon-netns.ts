/**
 * Split-horizon in namespace mode: the views match on *real* source addresses. The Authority
 * runs in namespace `authority`, the UdpProxyPool (adding EDNS Client Subnet) in `pool`, an
 * internal client in `internal` and an external one in `external`, all on the run's /24. The
 * lower half of the /24 (`<subnet>.0/25`, where the servers and the internal client sit) is the
 * internal network the views name; the external client sits at `.200`, in the upper half, as a
 * host outside it. Queries straight to the Authority are judged by their source address; queries
 * through the pool come from the pool's address, the only one whose ECS option the views believe
 * (see `splitHorizonViews`), and carry the real client's address as ECS.
 *
 *   internal .3 / external .200 ──► pool .2:53 (ECS: the client's /32) ──► authority .1:53
 *   internal .3 / external .200 ─────────────────────────────────────────► authority .1:53
 */
import { Authority } from '../../authority/index.js'
import { UdpProxyPool } from '../../proxy/index.js'
import { DnsServer } from '../../server/index.js'
import { DnsHaError } from '../../util/errors.js'
import { parseZone } from '../../zone/index.js'
import { splitHorizonViews } from '../split-horizon.js'
import { SPLIT_CORP_ZONE, SPLIT_EXTERNAL_ZONE, SPLIT_INTERNAL_ZONE } from '../split-horizon-zones.js'
import type { NetnsExampleDefinition, NetnsNodeSpec, NetnsRole } from './netns-role.js'

/** The Authority with the four split-horizon views, on its address port 53 (UDP and TCP). */
export const splitHorizonAuthorityRole: NetnsRole = {
  name: 'split-horizon-authority',
  summary: 'one authority with internal/external views on port 53, ECS believed from the pool only',
  async start(spec) {
    const internal = splitInternalNetwork(spec)
    const pool = hostAddress(spec, 'pool')
    const zones = {
      internal: [parseZone(SPLIT_INTERNAL_ZONE, { origin: 'example.test.' }), parseZone(SPLIT_CORP_ZONE, { origin: 'corp.test.' })],
      external: [parseZone(SPLIT_EXTERNAL_ZONE, { origin: 'example.test.' })],
    }
    const server = new DnsServer({ handler: new Authority({ views: splitHorizonViews([internal], [pool], zones), minimalResponses: true }) })
    await server.listen({ address: spec.address, port: 53 })
    return {
      describe: [
        `authority on ${spec.address}#53 udp+tcp: example.test (internal and external), corp.test (internal only)`,
        `views: internal = ${internal} (not the pool), external = any other direct client, internal-via-pool = ECS in ${internal} from ${pool}, external-via-pool = the rest`,
      ],
      close: () => server.close(),
    }
  },
}

/** The pool in front of the Authority, inserting the client's address as ECS (replacing any the client sent). */
export const splitHorizonPoolRole: NetnsRole = {
  name: 'split-horizon-pool',
  summary: "a UDP pool on port 53 in front of the authority, inserting the client's address as EDNS Client Subnet",
  async start(spec, emit) {
    const authority = hostAddress(spec, 'authority')
    const pool = new UdpProxyPool({ members: [{ address: authority, port: 53 }], clientSubnet: { ipv4Prefix: 32, ipv6Prefix: 128, override: true } })
    pool.on('member-down', ({ member, reason }) => emit({ type: 'member', member: member.key, state: 'down', reason }))
    pool.on('member-up', ({ member }) => emit({ type: 'member', member: member.key, state: 'up', reason: 'answering again' }))
    // UDP only: a TCP relay carries no ECS, so through it every client would look like the pool.
    await pool.listen({ address: spec.address, port: 53, udp: true, tcp: false })
    return { describe: [`pool on ${spec.address}#53 udp over ${authority}#53, ECS /32 (override)`], close: () => pool.close() }
  },
}

/** The example: authority (.1), pool (.2), an internal client (.3) and an external one (.200); no VIP. */
export const splitHorizonNetns: NetnsExampleDefinition = {
  name: 'split-horizon',
  summary: 'one authority with internal/external views matching real source addresses, behind a pool inserting ECS',
  hosts: [{ name: 'authority', role: splitHorizonAuthorityRole.name }, { name: 'pool', role: splitHorizonPoolRole.name }, { name: 'internal' }, { name: 'external', number: 200 }],
  vipHosts: [],
  client: 'internal',
  tryQueries: [
    { name: 'www.example.test', from: 'internal', to: 'authority', comment: 'internal client, direct: the private address', expect: ['10.0.0.80'] },
    { name: 'www.example.test', from: 'external', to: 'authority', comment: 'external client, direct: the public address', expect: ['203.0.113.80'] },
    { name: 'www.example.test', from: 'internal', to: 'pool', comment: 'internal client through the pool (ECS carries its address)', expect: ['10.0.0.80'] },
    { name: 'www.example.test', from: 'external', to: 'pool', comment: 'external client through the pool', expect: ['203.0.113.80'] },
    { name: 'wiki.corp.test', from: 'internal', to: 'pool', comment: 'internal only: REFUSED when asked from the external namespace', expect: ['10.0.2.10'] },
  ],
}

/** The internal network the views name: the lower half of the run's /24, where the Authority sits. */
function splitInternalNetwork(spec: NetnsNodeSpec): string {
  const octets = spec.address.split('.')
  if (octets.length !== 4) throw new DnsHaError('ERR_NETNS_CONFIG', `split-horizon: an IPv4 address is needed, got ${spec.address}`)
  return `${octets.slice(0, 3).join('.')}.0/25`
}

function hostAddress(spec: NetnsNodeSpec, name: string): string {
  const address = spec.hosts[name]
  if (address === undefined) throw new DnsHaError('ERR_NETNS_CONFIG', `split-horizon: no host ${name} in the spec`)
  return address
}
