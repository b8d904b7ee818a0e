/**
 * DNS numbers by name: rcodes, opcodes, header flag bits, the RR types code tests for, and the
 * type/class name conversions (over the one registry in `types.ts`, whose names agree with what
 * dns-packet encodes and decodes).
 */
import { classNumber, packetClassName, packetTypeName, typeNumber } from './types.js'

/** Response codes (RFC 1035, 2136, 6891). Values above 15 need the EDNS extended-rcode bits. */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
} as const

/** A response code name. */
export type RcodeName = keyof typeof RCODE

/** Opcodes (RFC 1035, 1996, 2136). */
export const OPCODE = {
  QUERY: 0,
  IQUERY: 1,
  STATUS: 2,
  NOTIFY: 4,
  UPDATE: 5,
  DSO: 6,
} as const

/** Header flag bits, as they sit in the 16-bit flags word. */
export const FLAG = {
  QR: 1 << 15,
  AA: 1 << 10,
  TC: 1 << 9,
  RD: 1 << 8,
  RA: 1 << 7,
  AD: 1 << 5,
  CD: 1 << 4,
} as const

/**
 * The header bits an answer copies from its query: opcode (0x7800), RD and CD (RFC 1035 §4.1.1,
 * RFC 4035 §3.2.2). `query.flags & COPY_FLAGS_MASK` is where every response's flags start.
 */
export const COPY_FLAGS_MASK = 0x7800 | FLAG.RD | FLAG.CD

/** Where the opcode sits in the flags word (`(flags >> OPCODE_SHIFT) & 0xf`). */
export const OPCODE_SHIFT = 11

/**
 * The UDP payload size we advertise and answer up to by default: 1232 bytes, the DNS Flag Day
 * 2020 value (fits an IPv6 minimum MTU without fragmenting).
 */
export const DEFAULT_UDP_PAYLOAD = 1232

/** The classic UDP limit without EDNS (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_PAYLOAD = 512

/** RR type codes that code compares against (the full registry is `typeNumber`/`typeMnemonic`). */
export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DNAME: 39,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  NSEC3: 50,
  SVCB: 64,
  HTTPS: 65,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const

/** Class codes (RFC 1035 §3.2.4, RFC 2136 §1.3). */
export const CLASS = {
  IN: 1,
  CH: 3,
  HS: 4,
  NONE: 254,
  ANY: 255,
} as const

/** The DO bit in the OPT record's flags (RFC 3225). */
export const EDNS_DO = 1 << 15

/** The RR type code for OPT (also `TYPE.OPT`). */
export const TYPE_OPT = TYPE.OPT

/** Name of an RR type code (`1` → `'A'`, unknown → `'TYPE65280'`). */
export function typeName(code: number): string {
  const s = packetTypeName(code)
  return s.startsWith('UNKNOWN_') ? `TYPE${code}` : s
}

/** Code of an RR type name in any spelling (`'A'` → 1, `'TYPE65280'` → 65280); `undefined` when unknown. */
export function typeCode(name: string): number | undefined {
  return typeNumber(name)
}

/** Name of a class code (`1` → `'IN'`). */
export function className(code: number): string {
  const s = packetClassName(code)
  return s.startsWith('UNKNOWN_') ? `CLASS${code}` : s
}

/** Code of a class name in any spelling (`'IN'` → 1, `'CLASS3'` → 3); `undefined` when unknown. */
export function classCode(name: string): number | undefined {
  return classNumber(name)
}

/** Name of an rcode (`3` → `'NXDOMAIN'`, unassigned → `'RCODE12'`). */
export function rcodeName(code: number): string {
  for (const [name, value] of Object.entries(RCODE)) if (value === code) return name
  return `RCODE${code}`
}
