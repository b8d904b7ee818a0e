/**
 * {@link ProxyPacketCache}: the {@link UdpProxyPool}'s optional packet cache, dnsdist's
 * `newPacketCache` in spirit. Answers are kept as the bytes the client got; a hit is a copy
 * with the client's id, the client's question bytes (its own case) and the TTLs counted down
 * (OPT excluded), nothing else re-encoded. The storage, TTL clamping and RFC 2308 negative TTLs
 * are the shared {@link ResponseCache}'s; this file adds the key and the copy.
 *
 * The key is the question (name folded to lower case, type, class) plus what changes the answer:
 * RD, CD, whether the query has EDNS, its DO bit, and the client's subnet when the pool inserts
 * EDNS Client Subnet. A query the key cannot describe is not cached: an opcode other than QUERY,
 * records besides one OPT (a TSIG-signed query, say), or an ECS option of the client's own.
 */
import type { ClientSubnetOptions } from '../packet/client-subnet.js'
import { decodeClientSubnet, EDNS_CLIENT_SUBNET } from '../packet/client-subnet.js'
import { FLAG, TYPE_OPT } from '../packet/constants.js'
import { inspectResponse, writeU32 } from '../packet/response-info.js'
import type { CacheSnapshot } from '../pool/response-cache.js'
import { ResponseCache } from '../pool/response-cache.js'
import { addressBytes } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'

/** Options of the pool's packet cache, named after dnsdist's `newPacketCache` parameters. */
export interface ProxyCacheOptions {
  /** Most answers kept, least recently used evicted first (dnsdist `maxEntries`, default 10 000). */
  size?: number
  /** TTLs below this are raised to it in the stored copy, seconds (dnsdist `minTTL`, default 0: a TTL 0 answer is not kept). */
  minTtl?: number
  /** TTLs above this are lowered to it, seconds (dnsdist `maxTTL`, default 86 400). */
  maxTtl?: number
  /** NXDOMAIN and NODATA answers are kept for their SOA's RFC 2308 TTL, at most this, seconds (dnsdist `maxNegativeTTL`, default 3600). */
  maxNegativeTtl?: number
}

/** The packet cache's counters (see `ResponseCache`'s `CacheSnapshot`). */
export type ProxyCacheSnapshot = CacheSnapshot

const RD = FLAG.RD
const CD = FLAG.CD
const EDNS_DO_BIT = 0x80 // the DO bit in the high byte of the OPT TTL's flags half
const OPCODE_MASK = 0x7800
const UPPER_A = 0x41
const UPPER_Z = 0x5a

/** A wire-format cache of the answers a pool relayed. */
export class ProxyPacketCache {
  private readonly cache: ResponseCache
  private readonly subnet: ClientSubnetOptions | undefined
  /** Hits that were too large for the asking client, reported as misses. */
  private tooLarge = 0
  /** Scratch for a key: the question (name folded to lower case; at most 12 + 255 + 4 bytes) and one byte of flags. */
  private readonly fold = Buffer.allocUnsafe(512)

  /** `subnet`: the pool's Client Subnet options when it inserts ECS (the key then carries the client's subnet). */
  constructor(options: ProxyCacheOptions, subnet?: ClientSubnetOptions) {
    const size = whole(options.size ?? 10_000, 'cache.size', 1)
    const minTtl = whole(options.minTtl ?? 0, 'cache.minTtl', 0)
    const maxTtl = whole(options.maxTtl ?? 86_400, 'cache.maxTtl', 1)
    const maxNegativeTtl = whole(options.maxNegativeTtl ?? 3600, 'cache.maxNegativeTtl', 0)
    if (minTtl > maxTtl) throw new DnsHaError('ERR_CONFIG', `cache.minTtl ${minTtl} is above cache.maxTtl ${maxTtl}`)
    this.cache = new ResponseCache({ size, negative: maxNegativeTtl > 0, negTtl: undefined, minTtl, maxTtl, maxNegativeTtl, maxStaleMs: 0 })
    this.subnet = subnet
  }

  /**
   * The key for a client query whose question ends at `questionEnd`, from `client` (its
   * address, used when the pool inserts ECS); `undefined` when the query is not to be cached.
   */
  key(query: Buffer, questionEnd: number, client: string): string | undefined {
    const flags = (query[2]! << 8) | query[3]!
    if ((flags & OPCODE_MASK) !== 0) return undefined
    // Nothing in the answer or authority sections; at most one additional record, an OPT.
    if (query[6] !== 0 || query[7] !== 0 || query[8] !== 0 || query[9] !== 0 || query[10] !== 0 || query[11]! > 1) return undefined
    let bits = (flags & RD ? 1 : 0) | (flags & CD ? 2 : 0)
    if (query[11] === 1) {
      const opt = readOpt(query, questionEnd)
      if (opt === undefined) return undefined
      bits |= 4 | (opt.dnssecOk ? 8 : 0)
    } else if (questionEnd !== query.length) {
      return undefined
    }
    let key = this.question(query, questionEnd, bits)
    if (this.subnet) {
      const subnet = subnetKey(client, this.subnet)
      if (subnet === undefined) return undefined
      key += subnet
    }
    return key
  }

  /**
   * The stored answer for `key` made into the answer to `query` (a fresh buffer), or
   * `undefined` on a miss. Counts the hit or the miss. An answer larger than the client's UDP
   * payload size (512 without EDNS, RFC 6891 §6.2.5) is a miss, as in dnsdist: the member
   * will answer that client within its size.
   */
  lookup(key: string, query: Uint8Array, questionEnd: number, now: number): Buffer | undefined {
    const entry = this.cache.get(key, now)
    if (!entry) return undefined
    const stored = entry.bytes
    // key() let through only a query whose one OPT record starts right after the question.
    const payload = query[11] === 1 ? Math.max(512, (query[questionEnd + 3]! << 8) | query[questionEnd + 4]!) : 512
    if (stored.length > payload) {
      this.tooLarge++
      return undefined
    }
    const out = Buffer.allocUnsafe(stored.length)
    out.set(stored)
    out[0] = query[0]!
    out[1] = query[1]!
    // Same name up to case (the key says so): the client gets its own spelling back. A loop,
    // not a subarray view: a hit allocates only the key and this answer.
    for (let i = 12; i < questionEnd; i++) out[i] = query[i]!
    const elapsed = Math.floor((now - entry.storedAt) / 1000)
    if (elapsed > 0) {
      for (const at of entry.ttlOffsets) {
        const ttl = ((out[at]! << 24) | (out[at + 1]! << 16) | (out[at + 2]! << 8) | out[at + 3]!) >>> 0
        writeU32(out, at, ttl > elapsed ? ttl - elapsed : 0)
      }
    }
    return out
  }

  /**
   * Keeps `answer` (what the client got) under `key` when it is cacheable: NOERROR with answers,
   * NXDOMAIN or NODATA with an SOA; never truncated, SERVFAIL, REFUSED or TTL 0. `withSubnet`
   * is the member's answer before the pool took its ECS option out: an answer scoped to a
   * longer prefix than the pool sent holds for part of the subnet only, and is not kept.
   */
  store(key: string, answer: Uint8Array, now: number, withSubnet?: Uint8Array): void {
    let info
    try {
      info = inspectResponse(answer)
      if (withSubnet) {
        const ecs = decodeClientSubnet(withSubnet)
        if (ecs && ecs.scopePrefix > ecs.sourcePrefix) return
      }
    } catch {
      return
    }
    this.cache.store(key, Uint8Array.from(answer), info, now)
  }

  /** Drops every answer. */
  clear(): void {
    this.cache.clear()
  }

  /** Size and counters as plain data. */
  snapshot(): ProxyCacheSnapshot {
    const snapshot = this.cache.snapshot()
    return { ...snapshot, hits: snapshot.hits - this.tooLarge, misses: snapshot.misses + this.tooLarge }
  }

  /**
   * The question bytes as a string, the name's ASCII letters folded to lower case, with `bits`
   * as one more character: copied into a scratch buffer and read out once, so a key is one flat
   * string (no concatenation for the Map lookup to flatten).
   */
  private question(query: Buffer, questionEnd: number, bits: number): string {
    const nameEnd = questionEnd - 4
    const fold = this.fold
    // Length bytes are at most 63, below 'A', so folding the whole name leaves them alone.
    for (let i = 12; i < questionEnd; i++) {
      const c = query[i]!
      fold[i] = i < nameEnd && c >= UPPER_A && c <= UPPER_Z ? c | 0x20 : c
    }
    fold[questionEnd] = bits
    return fold.toString('latin1', 12, questionEnd + 1)
  }
}

/**
 * The query's OPT record when it is the one record after the question and runs to the end:
 * its DO bit; `undefined` when it is not such an OPT or carries an ECS option of the client's.
 */
function readOpt(query: Uint8Array, at: number): { dnssecOk: boolean } | undefined {
  if (at + 11 > query.length || query[at] !== 0 || query[at + 1] !== 0 || query[at + 2] !== TYPE_OPT) return undefined
  const rdlength = (query[at + 9]! << 8) | query[at + 10]!
  const end = at + 11 + rdlength
  if (end !== query.length) return undefined
  for (let pos = at + 11; pos + 4 <= end; ) {
    if (((query[pos]! << 8) | query[pos + 1]!) === EDNS_CLIENT_SUBNET) return undefined
    pos += 4 + ((query[pos + 2]! << 8) | query[pos + 3]!)
  }
  return { dnssecOk: (query[at + 7]! & EDNS_DO_BIT) !== 0 }
}

/** The client's subnet as the pool sends it (family, prefix, address bytes cut to the prefix), as a key suffix. */
export function subnetKey(client: string, options: ClientSubnetOptions): string | undefined {
  const bytes = addressBytes(client)
  if (!bytes) return undefined
  const v4 = bytes.length === 4
  const prefix = Math.max(0, Math.min(v4 ? 32 : 128, Math.floor(v4 ? (options.ipv4Prefix ?? 24) : (options.ipv6Prefix ?? 56))))
  let key = String.fromCharCode(v4 ? 1 : 2, prefix)
  for (let bit = 0; bit < prefix; bit += 8) {
    const keep = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff
    key += String.fromCharCode(bytes[bit >> 3]! & keep)
  }
  return key
}

function whole(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new DnsHaError('ERR_CONFIG', `${name} must be a whole number >= ${min}, got ${value}`)
  return value
}
