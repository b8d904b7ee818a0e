/**
 * DNS numbers by name: rcodes, opcodes, header flag bits, and type/class codes (the tables are
 * dns-packet's own, so names always agree with what it encodes and decodes).
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const typeTable = require('dns-packet/types.js') as { toString(n: number): string; toType(s: string): number }
const classTable = require('dns-packet/classes.js') as { toString(n: number): string; toClass(s: string): number }

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

/** The DO bit in the OPT record's flags (RFC 3225). */
export const EDNS_DO = 1 << 15

/** The RR type code for OPT. */
export const TYPE_OPT = 41

/** Name of an RR type code (`1` → `'A'`, unknown → `'TYPE65280'`). */
export function typeName(code: number): string {
  const s = typeTable.toString(code)
  return s.startsWith('UNKNOWN_') ? `TYPE${code}` : s
}

/** Code of an RR type name (`'A'` → 1, `'TYPE65280'` → 65280); `undefined` when unknown. */
export function typeCode(name: string): number | undefined {
  const upper = name.toUpperCase()
  if (upper.startsWith('TYPE') && /^TYPE\d+$/.test(upper)) return Number(upper.slice(4))
  const n = typeTable.toType(upper)
  return n === 0 ? undefined : n
}

/** Name of a class code (`1` → `'IN'`). */
export function className(code: number): string {
  const s = classTable.toString(code)
  return s.startsWith('UNKNOWN_') ? `CLASS${code}` : s
}

/** Code of a class name (`'IN'` → 1, `'CLASS3'` → 3); `undefined` when unknown. */
export function classCode(name: string): number | undefined {
  const upper = name.toUpperCase()
  if (/^CLASS\d+$/.test(upper)) return Number(upper.slice(5))
  const n = classTable.toClass(upper)
  return n === 0 ? undefined : n
}

/** Name of an rcode (`3` → `'NXDOMAIN'`, unassigned → `'RCODE12'`). */
export function rcodeName(code: number): string {
  for (const [name, value] of Object.entries(RCODE)) if (value === code) return name
  return `RCODE${code}`
}
