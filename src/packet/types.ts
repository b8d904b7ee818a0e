/**
 * The one RR type and class registry. Three spellings meet here: the IANA mnemonic of master files
 * (`SVCB`), RFC 3597's `TYPE64`, and dns-packet's string (`'UNKNOWN_64'` for types it has no
 * name for). Records and RRset keys use dns-packet's string, so a qtype decoded by dns-packet
 * finds its RRset directly and every record encodes with `dnsPacket.encode`.
 */

/** IANA RR type mnemonics and numbers (the subset master files use). */
const TYPE_NUMBERS: Readonly<Record<string, number>> = {
  A: 1, NS: 2, MD: 3, MF: 4, CNAME: 5, SOA: 6, MB: 7, MG: 8, MR: 9, NULL: 10, WKS: 11, PTR: 12,
  HINFO: 13, MINFO: 14, MX: 15, TXT: 16, RP: 17, AFSDB: 18, X25: 19, ISDN: 20, RT: 21, NSAP: 22,
  'NSAP-PTR': 23, SIG: 24, KEY: 25, PX: 26, GPOS: 27, AAAA: 28, LOC: 29, NXT: 30, EID: 31,
  NIMLOC: 32, SRV: 33, ATMA: 34, NAPTR: 35, KX: 36, CERT: 37, A6: 38, DNAME: 39, SINK: 40, OPT: 41,
  APL: 42, DS: 43, SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49, NSEC3: 50,
  NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, HIP: 55, NINFO: 56, RKEY: 57, TALINK: 58, CDS: 59,
  CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, DSYNC: 66, HHIT: 67, BRID: 68, SPF: 99,
  UINFO: 100, UID: 101, GID: 102, UNSPEC: 103, NID: 104, L32: 105, L64: 106, LP: 107, EUI48: 108,
  EUI64: 109, NXNAME: 128, TKEY: 249, TSIG: 250, IXFR: 251, AXFR: 252, MAILB: 253, MAILA: 254,
  ANY: 255, URI: 256, CAA: 257, AVC: 258, DOA: 259, AMTRELAY: 260, RESINFO: 261, WALLET: 262,
  TA: 32768, DLV: 32769,
}

const TYPE_MNEMONICS = new Map<number, string>(Object.entries(TYPE_NUMBERS).map(([k, v]) => [v, k]))

/** Type numbers dns-packet 5 names in `types.toString` (others decode as `UNKNOWN_n`). */
const PACKET_NAMED = new Set<number>([
  1, 10, 28, 18, 42, 257, 60, 59, 37, 5, 49, 32769, 39, 48, 43, 55, 13, 45, 25, 36, 29, 15, 35, 2,
  47, 50, 51, 12, 46, 17, 24, 6, 99, 33, 44, 32768, 249, 52, 250, 16, 252, 251, 41, 255,
])

/** Type numbers for which dns-packet 5 has a structured rdata codec (others take a Buffer). */
const PACKET_STRUCTURED = new Set<number>([
  1, 12, 5, 39, 16, 10, 28, 33, 13, 257, 2, 6, 15, 41, 48, 46, 17, 47, 50, 44, 43, 35, 52,
])

/** Class names and numbers. */
const CLASS_NUMBERS: Readonly<Record<string, number>> = { IN: 1, CS: 2, CH: 3, HS: 4, NONE: 254, ANY: 255 }
const PACKET_CLASS_NAMES = new Map<number, string>([[1, 'IN'], [2, 'CS'], [3, 'CH'], [4, 'HS'], [255, 'ANY']])

/**
 * The number of an RR type given in any spelling (`'MX'`, `'mx'`, `'TYPE15'`, `'UNKNOWN_15'`),
 * or `undefined` when it is not a type.
 */
export function typeNumber(type: string): number | undefined {
  const known = TYPE_NUMBERS[type] ?? TYPE_NUMBERS[type.toUpperCase()]
  if (known !== undefined) return known
  const upper = type.toUpperCase()
  const digits = upper.startsWith('TYPE') ? upper.slice(4) : upper.startsWith('UNKNOWN_') ? upper.slice(8) : undefined
  if (digits === undefined || !/^[0-9]{1,5}$/.test(digits)) return undefined
  const n = Number(digits)
  return n <= 65535 ? n : undefined
}

/** The master-file spelling of a type number: its mnemonic, or `TYPEn` (RFC 3597). */
export function typeMnemonic(n: number): string {
  return TYPE_MNEMONICS.get(n) ?? `TYPE${n}`
}

/**
 * The key the zone model uses for a type: dns-packet's name for it (`'A'`, `'SPF'`,
 * `'UNKNOWN_64'` for SVCB). Accepts any spelling; returns `undefined` for a non-type.
 *
 * @example typeKey('https') // 'UNKNOWN_65'
 */
export function typeKey(type: string): string | undefined {
  const n = typeNumber(type)
  return n === undefined ? undefined : packetTypeName(n)
}

/** dns-packet's string for a type number (`'MX'`, or `'UNKNOWN_n'` when it has no name). */
export function packetTypeName(n: number): string {
  return PACKET_NAMED.has(n) ? (TYPE_MNEMONICS.get(n) as string) : `UNKNOWN_${n}`
}

/** True when dns-packet encodes this type from a structured `data` object rather than a Buffer. */
export function hasPacketCodec(n: number): boolean {
  return PACKET_STRUCTURED.has(n)
}

/** The number of a class in any spelling (`'IN'`, `'CLASS1'`, `'UNKNOWN_1'`), or `undefined`. */
export function classNumber(klass: string): number | undefined {
  if (klass === 'IN') return 1 // nearly every record: skip the case folding
  const upper = klass.toUpperCase()
  const known = CLASS_NUMBERS[upper]
  if (known !== undefined) return known
  const digits = upper.startsWith('CLASS') ? upper.slice(5) : upper.startsWith('UNKNOWN_') ? upper.slice(8) : undefined
  if (digits === undefined || !/^[0-9]{1,5}$/.test(digits)) return undefined
  const n = Number(digits)
  return n <= 65535 ? n : undefined
}

/** dns-packet's string for a class number (`'IN'`, or `'UNKNOWN_n'`). */
export function packetClassName(n: number): string {
  return PACKET_CLASS_NAMES.get(n) ?? `UNKNOWN_${n}`
}

/** The master-file spelling of a class number: `IN`, `CH`, `HS`, or `CLASSn`. */
export function classMnemonic(n: number): string {
  const name = PACKET_CLASS_NAMES.get(n)
  return name !== undefined && n !== 255 ? name : `CLASS${n}`
}
