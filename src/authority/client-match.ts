/**
 * Who is asking, for view selection: the source address, the TSIG key that signed the query
 * (RFC 8945) and the EDNS Client Subnet option (RFC 7871). The key comes only from `query.tsig`,
 * which the server sets after verifying the signature with its `tsig` keyring — never from the
 * key name in the record — so naming a key without its secret selects nothing, as in BIND's
 * `match-clients { key ...; }`.
 */
import type { ClientSubnet } from '../packet/client-subnet.js'
import { decodeClientSubnet, EDNS_CLIENT_SUBNET } from '../packet/client-subnet.js'
import type { ClientInfo, DnsQuery } from '../server/query.js'
import type { Acl } from '../util/cidr.js'
import { compileAcl } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import { canonicalName } from '../packet/names.js'

/** How a view picks its clients. A view matches when any given list matches; an empty match takes everyone. */
export interface ViewMatchSpec {
  /** Source address lists (BIND `match-clients` syntax: CIDRs, `!`, `any`). */
  clients?: string[]
  /**
   * TSIG key names (any case, trailing dot optional). A query matches only when it was signed
   * with one of them and the server verified it: the `DnsServer` needs a `tsig` keyring holding
   * these keys. Unsigned or badly signed queries never match.
   */
  keys?: string[]
  /** Client subnets from the EDNS Client Subnet option (RFC 7871), as CIDR lists. */
  ecs?: string[]
}

export type { ClientSubnet } from '../packet/client-subnet.js'

/** Which view criterion decided, so the answer's ECS scope can say whether the subnet mattered. */
export interface ViewMatchResult {
  matched: boolean
  /** The ECS option took part in the decision (this view's or an earlier view's ECS list was consulted). */
  usedEcs: boolean
}

/**
 * A compiled view match; `key` is the verified key name (`query.tsig?.keyName`). Only the
 * query's client is read, so the UDP fast path's `PlainQuery` serves as well as a `DnsQuery`.
 */
export type CompiledViewMatch = (query: { client: Pick<ClientInfo, 'address'> }, ecs: ClientSubnet | undefined, key: string | undefined) => ViewMatchResult

/** EDNS option code of Client Subnet (also `EDNS_CLIENT_SUBNET` in packet). */
export const OPTION_ECS = EDNS_CLIENT_SUBNET

/** Compiles a {@link ViewMatchSpec}; throws `ERR_CONFIG` on a malformed list. */
export function compileViewMatch(spec: ViewMatchSpec | undefined, where: string): CompiledViewMatch {
  const clients = spec?.clients ? compile(spec.clients, `${where}.clients`) : undefined
  const ecsAcl = spec?.ecs ? compile(spec.ecs, `${where}.ecs`) : undefined
  const keys = spec?.keys ? new Set(spec.keys.map(canonicalName)) : undefined
  if (!clients && !ecsAcl && !keys) return () => ({ matched: true, usedEcs: false })
  return (query, ecs, key) => {
    if (keys && key !== undefined && keys.has(key)) return { matched: true, usedEcs: false }
    if (ecsAcl && ecs && ecsAcl.allows(ecs.address)) return { matched: true, usedEcs: true }
    if (clients && clients.allows(query.client.address)) return { matched: true, usedEcs: ecsAcl !== undefined && ecs !== undefined }
    return { matched: false, usedEcs: ecsAcl !== undefined && ecs !== undefined }
  }
}

/** The query's ECS option, or `undefined` when absent or malformed (see `decodeClientSubnet`). */
export function readClientSubnet(query: DnsQuery): ClientSubnet | undefined {
  return query.edns ? decodeClientSubnet(query.raw, query.edns) : undefined
}

/** The ECS option for an answer: the client's family, source prefix and address, with our scope (RFC 7871 §7.2.1). */
export function encodeClientSubnet(ecs: ClientSubnet, scopePrefix: number): Uint8Array {
  const out = new Uint8Array(4 + 4 + ecs.addressBytes.length)
  out[0] = 0
  out[1] = OPTION_ECS
  out[2] = (4 + ecs.addressBytes.length) >> 8
  out[3] = (4 + ecs.addressBytes.length) & 0xff
  out[4] = 0
  out[5] = ecs.family
  out[6] = ecs.sourcePrefix
  out[7] = scopePrefix
  out.set(ecs.addressBytes, 8)
  return out
}

function compile(list: string[], where: string): Acl {
  try {
    return compileAcl(list)
  } catch (cause) {
    throw new DnsHaError('ERR_CONFIG', `${where}: ${(cause as Error).message}`, { cause })
  }
}
