/**
 * What of an upstream response belongs to the question: the question name and the CNAME chain
 * that leads from it (bailiwick). Only that is cached, as dnsmasq caches only the records its
 * `extract_addresses` reads for the question and its chain: records an upstream adds for other
 * names, in any section, never reach a later client from the cache.
 */
import { TYPE } from '../packet/constants.js'
import { canonicalName, isCanonicalSubdomain } from '../packet/names.js'
import { readName, skipName } from '../packet/wire.js'

/** One resource record of a response, located in its bytes. */
export interface WireRecord {
  /** Canonical owner name. */
  owner: string
  type: number
  section: 'answer' | 'authority' | 'additional'
  /** Offset of the record's first byte and just past its last. */
  start: number
  end: number
  /** Offset of the RDATA and its length. */
  rdata: number
  rdlength: number
}

/** A response's question name and records. Throws on a malformed message (callers treat it as garbage). */
export function wireRecords(buf: Uint8Array): { qname: string | undefined; records: WireRecord[] } {
  const qd = (buf[4]! << 8) | buf[5]!
  const an = (buf[6]! << 8) | buf[7]!
  const ns = (buf[8]! << 8) | buf[9]!
  const ar = (buf[10]! << 8) | buf[11]!
  let pos = 12
  let qname: string | undefined
  for (let i = 0; i < qd; i++) {
    if (i === 0) qname = canonicalName(readName(buf, pos).name)
    pos = skipName(buf, pos) + 4
  }
  const records: WireRecord[] = []
  for (let i = 0; i < an + ns + ar; i++) {
    const start = pos
    const owner = canonicalName(readName(buf, pos).name)
    pos = skipName(buf, pos)
    if (pos + 10 > buf.length) throw new Error('record header runs past the end')
    const type = (buf[pos]! << 8) | buf[pos + 1]!
    const rdlength = (buf[pos + 8]! << 8) | buf[pos + 9]!
    const rdata = pos + 10
    if (rdata + rdlength > buf.length) throw new Error('record data runs past the end')
    pos = rdata + rdlength
    records.push({ owner, type, section: i < an ? 'answer' : i < an + ns ? 'authority' : 'additional', start, end: pos, rdata, rdlength })
  }
  return { qname, records }
}

/** The most CNAMEs followed from the question name (dnsmasq follows at most 10; this is looser). */
const MAX_CHAIN = 16

/**
 * The question name and the names its CNAMEs lead to through the answer section, in chain
 * order, whatever order the records come in.
 */
export function chainNames(buf: Uint8Array, qname: string, records: readonly WireRecord[]): string[] {
  const chain = [qname]
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    const last = chain[chain.length - 1]!
    const cname = records.find((r) => r.section === 'answer' && r.type === TYPE.CNAME && r.owner === last)
    if (cname === undefined) break
    const target = canonicalName(readName(buf, cname.rdata).name)
    if (chain.includes(target)) break
    chain.push(target)
  }
  return chain
}

const NEGATIVE_PROOF = new Set<number>([TYPE.SOA, TYPE.NSEC, TYPE.NSEC3, TYPE.RRSIG])

/**
 * The copy of a response (OPT already cut) that may be cached: the answer records owned by the
 * question name or its chain, and, for an answer with none (NXDOMAIN, NODATA), the authority's
 * SOA of a zone above the last chain name with the NSEC/NSEC3/RRSIG records inside that zone
 * (RFC 2308 negative caching, RFC 4035 denial). Everything else (the authority's NS, glue,
 * records for other names in any section) is left out. The bytes are cut, never re-encoded, so
 * the kept records must come first: `buf` itself when everything is kept, a shorter copy when
 * only a tail is dropped, and `undefined` (do not cache) when a dropped record sits before a
 * kept one.
 */
export function bailiwickCopy(buf: Uint8Array): Uint8Array | undefined {
  const { qname, records } = wireRecords(buf)
  if (qname === undefined) return undefined
  const chain = chainNames(buf, qname, records)
  const inChain = new Set(chain)
  const keep = records.map((r) => r.section === 'answer' && inChain.has(r.owner))
  if (!keep.some((k) => k)) {
    const final = chain[chain.length - 1]!
    const soa = records.find((r) => r.section === 'authority' && r.type === TYPE.SOA && isCanonicalSubdomain(final, r.owner))
    if (soa !== undefined) {
      records.forEach((r, i) => {
        if (r.section === 'authority' && NEGATIVE_PROOF.has(r.type) && isCanonicalSubdomain(r.owner, soa.owner)) keep[i] = true
      })
    }
  }
  let kept = 0
  while (kept < keep.length && keep[kept]) kept++
  if (keep.slice(kept).some((k) => k)) return undefined
  if (kept === records.length) return buf
  const counts = [0, 0, 0]
  for (let i = 0; i < kept; i++) counts[['answer', 'authority', 'additional'].indexOf(records[i]!.section)]!++
  const end = kept === 0 ? (records[0]?.start ?? buf.length) : records[kept - 1]!.end
  const out = buf.slice(0, end)
  for (let s = 0; s < 3; s++) {
    out[6 + 2 * s] = counts[s]! >> 8
    out[7 + 2 * s] = counts[s]! & 0xff
  }
  return out
}

