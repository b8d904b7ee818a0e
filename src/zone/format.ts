/**
 * Master-file output: `formatZone` writes text that BIND, NSD and Knot load and that
 * `parseZone` reads back to the same records.
 */
import { isSubdomain, canonicalName } from '../packet/names.js'
import { base32hexEncode } from './base32hex.js'
import { genericToPresentation } from './generic-rdata.js'
import { classMnemonic, classNumber, typeMnemonic, typeNumber } from '../packet/types.js'
import { RR } from './rr-types.js'
import type { Zone, ZoneRecord } from './zone.js'

/** Options of {@link formatZone}. */
export interface FormatZoneOptions {
  /** Write `$ORIGIN` and names relative to it (default true). */
  relative?: boolean
  /** Write a `$TTL` line with the SOA's TTL and omit TTLs equal to it (default true). */
  defaultTtl?: boolean
  /** Pad the owner column to this width (default 24; 0 for single spaces). */
  ownerWidth?: number
}

/** Types BIND 9.18, NSD and Knot all know by mnemonic; others are written as `TYPEn`. */
const WIDELY_KNOWN: ReadonlySet<number> = new Set(
  [
    'A', 'NS', 'MD', 'MF', 'CNAME', 'SOA', 'MB', 'MG', 'MR', 'NULL', 'WKS', 'PTR', 'HINFO', 'MINFO', 'MX', 'TXT', 'RP',
    'AFSDB', 'X25', 'ISDN', 'RT', 'NSAP', 'NSAP-PTR', 'SIG', 'KEY', 'PX', 'GPOS', 'AAAA', 'LOC', 'NXT', 'SRV', 'NAPTR',
    'KX', 'CERT', 'A6', 'DNAME', 'APL', 'DS', 'SSHFP', 'IPSECKEY', 'RRSIG', 'NSEC', 'DNSKEY', 'DHCID', 'NSEC3',
    'NSEC3PARAM', 'TLSA', 'SMIMEA', 'HIP', 'CDS', 'CDNSKEY', 'OPENPGPKEY', 'CSYNC', 'ZONEMD', 'SVCB', 'HTTPS', 'SPF',
    'NID', 'L32', 'L64', 'LP', 'EUI48', 'EUI64', 'URI', 'CAA', 'DLV',
  ].map((m) => typeNumber(m) as number),
)

/**
 * Formats a zone as master-file text: SOA first, records grouped by owner in canonical order,
 * aligned columns, `$ORIGIN`-relative names by default.
 *
 * @example formatZone(parseZone(text, { origin: 'example.com.' }))
 */
export function formatZone(zone: Zone, options: FormatZoneOptions = {}): string {
  return [...formatZoneChunks(zone, options)].join('')
}

/**
 * {@link formatZone}'s text in pieces of about `linesPerChunk` lines (each piece ends with a
 * newline; joined, they are formatZone's text), so a large zone can be written out without
 * holding all its text at once.
 */
export function* formatZoneChunks(zone: Zone, options: FormatZoneOptions = {}, linesPerChunk = 4096): Generator<string, void, undefined> {
  const relative = options.relative !== false
  const width = options.ownerWidth ?? 24
  const origin = zone.origin
  const soa = zone.soa
  const defaultTtl = options.defaultTtl !== false && soa !== undefined ? soa.ttl : undefined
  let out: string[] = []
  if (relative) out.push(`$ORIGIN ${origin}`)
  if (defaultTtl !== undefined) out.push(`$TTL ${defaultTtl}`)
  const ctx: FormatContext = { origin: relative ? origin : undefined }
  let previous: string | undefined
  let lastClass: string | undefined
  let lastMnemonic = ''
  for (const record of zone.eachRecord()) {
    const owner = record.name === previous ? '' : formatName(record.name, ctx)
    previous = record.name
    const ttl = record.ttl === defaultTtl ? '' : String(record.ttl)
    const klass = record.class === lastClass ? lastMnemonic : classText((lastClass = record.class))
    lastMnemonic = klass
    const [type, rdata] = formatTypeAndRdata(record, ctx)
    const head = width > 0 ? owner.padEnd(width) : owner
    out.push(trimEnd(`${head} ${ttl.padStart(width > 0 ? 6 : 0)} ${klass} ${type.padEnd(width > 0 ? 6 : 0)} ${rdata}`))
    if (out.length >= linesPerChunk) {
      yield out.join('\n') + '\n'
      out = []
    }
  }
  // An empty zone (no $ORIGIN either) is one empty line, as formatZone always gave.
  if (out.length > 0 || previous === undefined) yield out.join('\n') + '\n'
}

/** One record as a master-file line with absolute names (`www.example. 300 IN A 192.0.2.1`). */
export function formatRecord(record: ZoneRecord): string {
  const ctx: FormatContext = { origin: undefined }
  const [type, rdata] = formatTypeAndRdata(record, ctx)
  return `${formatName(record.name, ctx)} ${record.ttl} ${classMnemonic(classNumber(record.class) ?? 1)} ${type} ${rdata}`
}

/** The presentation of a record's type and rdata: `['MX', '10 mail.example.']`. */
export function formatRdata(record: ZoneRecord): string {
  return formatTypeAndRdata(record, { origin: undefined })[1]
}

// ---- helpers -------------------------------------------------------------------------------

function classText(klass: string): string {
  return classMnemonic(classNumber(klass) ?? 1)
}

/** `line` without trailing spaces (an empty rdata or owner column leaves some). */
function trimEnd(line: string): string {
  let end = line.length
  while (end > 0 && line.charCodeAt(end - 1) === 0x20) end--
  return end === line.length ? line : line.slice(0, end)
}

interface FormatContext {
  /** The origin as the zone spells it, when names are written relative to it. */
  origin: string | undefined
}

/**
 * A name relative to the origin when it ends in the origin spelled with the same case: BIND keeps
 * the case of each owner and rdata name as written, so `Mail.EXAMPLE.` stays absolute (made
 * relative, it would read back as `Mail.example.`).
 */
function formatName(name: string, ctx: FormatContext): string {
  const o = ctx.origin
  if (o === undefined) return name
  if (name === o) return '@'
  if (o === '.' || name.length <= o.length + 1 || !name.endsWith(o) || name.charCodeAt(name.length - o.length - 1) !== 0x2e) return name
  const rel = name.slice(0, name.length - o.length - 1)
  // `a\.example.` ends in `.example.` after an escaped backslash, not after a label separator.
  return isSubdomain(canonicalName(name), canonicalName(o)) ? rel : name
}

function formatTypeAndRdata(record: ZoneRecord, ctx: FormatContext): [string, string] {
  const n = typeNumber(record.type) as number
  const mnemonic = WIDELY_KNOWN.has(n) ? typeMnemonic(n) : `TYPE${n}`
  const d = record.data
  if (Buffer.isBuffer(d)) {
    const text = formatWire(n, d)
    return [mnemonic, text ?? generic(d)]
  }
  const name = (x: string): string => formatName(x, ctx)
  switch (n) {
    case RR.A: case RR.AAAA: return [mnemonic, String(d)]
    case RR.NS: case RR.CNAME: case RR.PTR: case RR.DNAME: return [mnemonic, name(d)]
    case RR.SOA: return [mnemonic, `${name(d.mname)} ${name(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`]
    case RR.MX: return [mnemonic, `${d.preference} ${name(d.exchange)}`]
    case RR.TXT: {
      const list = Array.isArray(d) ? d : [d]
      return [mnemonic, list.map((s: Buffer | string) => quote(typeof s === 'string' ? Buffer.from(s, 'utf8') : s)).join(' ')]
    }
    case RR.SRV: return [mnemonic, `${d.priority} ${d.weight} ${d.port} ${name(d.target)}`]
    case RR.NAPTR: return [mnemonic, `${d.order} ${d.preference} ${quoteText(d.flags)} ${quoteText(d.services)} ${quoteText(d.regexp)} ${name(d.replacement)}`]
    case RR.CAA: return [mnemonic, `${d.flags ?? 0} ${d.tag} ${quoteText(d.value)}`]
    case RR.HINFO: return [mnemonic, `${quoteText(d.cpu)} ${quoteText(d.os)}`]
    case RR.RP: return [mnemonic, `${name(d.mbox)} ${name(d.txt)}`]
    case RR.DS: return [mnemonic, `${d.keyTag} ${d.algorithm} ${d.digestType} ${hexOrDash(d.digest)}`]
    case RR.DNSKEY: return [mnemonic, `${d.flags} 3 ${d.algorithm} ${(d.key as Buffer).toString('base64')}`]
    case RR.RRSIG:
      return [mnemonic, `${typeLabel(d.typeCovered)} ${d.algorithm} ${d.labels} ${d.originalTTL} ${sigTime(d.expiration)} ${sigTime(d.inception)} ${d.keyTag} ${name(d.signersName)} ${(d.signature as Buffer).toString('base64')}`]
    case RR.NSEC: return [mnemonic, `${name(d.nextDomain)} ${(d.rrtypes as string[]).map(typeLabel).join(' ')}`.trimEnd()]
    case RR.NSEC3:
      return [mnemonic, `${d.algorithm} ${d.flags} ${d.iterations} ${(d.salt as Buffer).length === 0 ? '-' : (d.salt as Buffer).toString('hex')} ${base32hexEncode(d.nextDomain)} ${(d.rrtypes as string[]).map(typeLabel).join(' ')}`.trimEnd()]
    case RR.TLSA: return [mnemonic, `${d.usage} ${d.selector} ${d.matchingType} ${(d.certificate as Buffer).toString('hex')}`]
    case RR.SSHFP: return [mnemonic, `${d.algorithm} ${d.hash} ${d.fingerprint}`]
  }
  throw new TypeError(`cannot format ${record.type} data that is not a Buffer`)
}

/**
 * Presentation of wire rdata where it is readable; `undefined` means "write \\# generic". A
 * structured type kept as wire rdata (an HINFO whose strings are not UTF-8, a DNSKEY whose
 * protocol is not 3) is written in its own form, as BIND writes it.
 */
function formatWire(n: number, d: Buffer): string | undefined {
  try {
    const text = genericToPresentation(n, d)
    if (text !== undefined) return text
  } catch {
    return undefined // malformed for its type: only the generic form says what it is
  }
  if (n === RR.SPF && d.length > 0) {
    const parts: string[] = []
    let p = 0
    while (p < d.length) {
      const len = d[p] as number
      if (p + 1 + len > d.length) return undefined
      parts.push(quote(d.subarray(p + 1, p + 1 + len)))
      p += 1 + len
    }
    return parts.join(' ')
  }
  if (n === RR.NSEC3PARAM && d.length >= 5 && d.length === 5 + (d[4] as number)) {
    const salt = d.subarray(5)
    return `${d[0]} ${d[1]} ${d.readUInt16BE(2)} ${salt.length === 0 ? '-' : salt.toString('hex')}`
  }
  return undefined
}

function generic(d: Buffer): string {
  return d.length === 0 ? '\\# 0' : `\\# ${d.length} ${d.toString('hex')}`
}

function hexOrDash(b: Buffer): string {
  return b.length === 0 ? '' : b.toString('hex')
}

function typeLabel(t: string): string {
  const n = typeNumber(t)
  return n === undefined ? t : WIDELY_KNOWN.has(n) ? typeMnemonic(n) : `TYPE${n}`
}

function sigTime(seconds: number): string {
  const d = new Date(seconds * 1000)
  const p = (x: number, w = 2): string => String(x).padStart(w, '0')
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`
}

/** A character-string as a quoted presentation string: `"`, `\` escaped, non-printables `\DDD`. */
function quote(bytes: Uint8Array): string {
  let out = '"'
  for (const c of bytes) {
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c)
    else if (c < 0x20 || c >= 0x7f) out += '\\' + String(c).padStart(3, '0')
    else out += String.fromCharCode(c)
  }
  return out + '"'
}

function quoteText(s: string): string {
  return quote(Buffer.from(s, 'utf8'))
}

