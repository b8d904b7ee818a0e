import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { CLASS, className, classCode, COPY_FLAGS_MASK, FLAG, OPCODE, RCODE, rcodeName, TYPE, typeCode, typeName } from '../../src/packet/constants.js'
import { classMnemonic, classNumber, hasPacketCodec, packetClassName, packetTypeName, typeKey, typeMnemonic, typeNumber } from '../../src/packet/types.js'

// dns-packet's own registries: the spellings records and qtypes meet in must agree with them.
const require = createRequire(import.meta.url)
const packetTypes = require('dns-packet/types') as { toString(n: number): string; toType(s: string): number }
const packetClasses = require('dns-packet/classes') as { toString(n: number): string }
const dnsPacket = require('dns-packet') as { record(type: string): { encode(data: unknown): Buffer } }

describe('type registry', () => {
  it('spells every type number the way dns-packet does', () => {
    const differ: number[] = []
    for (let n = 0; n <= 65535; n++) if (packetTypeName(n) !== packetTypes.toString(n)) differ.push(n)
    expect(differ).toEqual([])
    expect(packetTypeName(99)).toBe('SPF')
    expect(packetTypeName(64)).toBe('UNKNOWN_64')
  })

  it('knows which types dns-packet encodes from structured data', () => {
    const structured: number[] = []
    for (let n = 1; n < 300; n++) if (hasPacketCodec(n)) structured.push(n)
    expect(structured.sort((a, b) => a - b)).toEqual([1, 2, 5, 6, 10, 12, 13, 15, 16, 17, 28, 33, 35, 39, 41, 43, 44, 46, 47, 48, 50, 52, 257])
    expect(hasPacketCodec(32769)).toBe(false)
    // Each has its own codec in dns-packet (an unknown type falls back to raw bytes).
    const raw = dnsPacket.record('UNKNOWN_1234')
    for (const n of structured) if (n !== 41) expect(dnsPacket.record(packetTypeName(n))).not.toBe(raw)
  })

  it('reads a type in every spelling', () => {
    expect(typeNumber('MX')).toBe(15)
    expect(typeNumber('mx')).toBe(15)
    expect(typeNumber('Nsap-Ptr')).toBe(23)
    expect(typeNumber('TYPE15')).toBe(15)
    expect(typeNumber('type15')).toBe(15)
    expect(typeNumber('UNKNOWN_64')).toBe(64)
    expect(typeNumber('unknown_64')).toBe(64)
    expect(typeNumber('TYPE0')).toBe(0)
    expect(typeNumber('TYPE65535')).toBe(65535)
    expect(typeNumber('TYPE65536')).toBeUndefined()
    expect(typeNumber('TYPE100000')).toBeUndefined()
    expect(typeNumber('TYPE')).toBeUndefined()
    expect(typeNumber('TYPE1x')).toBeUndefined()
    expect(typeNumber('TYPEx1')).toBeUndefined()
    expect(typeNumber('UNKNOWN_')).toBeUndefined()
    expect(typeNumber('15')).toBeUndefined()
    expect(typeNumber('NOPE')).toBeUndefined()
    expect(typeNumber('')).toBeUndefined()
  })

  it('writes master-file mnemonics and zone-model keys', () => {
    expect(typeMnemonic(64)).toBe('SVCB')
    expect(typeMnemonic(23)).toBe('NSAP-PTR')
    expect(typeMnemonic(32769)).toBe('DLV')
    expect(typeMnemonic(65280)).toBe('TYPE65280')
    expect(typeKey('https')).toBe('UNKNOWN_65')
    expect(typeKey('spf')).toBe('SPF')
    expect(typeKey('TYPE1')).toBe('A')
    expect(typeKey('nope')).toBeUndefined()
    for (const [name, n] of Object.entries({ A: 1, NS: 2, SOA: 6, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DS: 43, RRSIG: 46, SVCB: 64, HTTPS: 65, TSIG: 250, AXFR: 252, ANY: 255, CAA: 257 })) {
      expect(typeNumber(name)).toBe(n)
      expect(typeMnemonic(n)).toBe(name)
    }
  })

  it('names types and reads them back through constants', () => {
    expect(typeName(1)).toBe('A')
    expect(typeName(64)).toBe('TYPE64')
    expect(typeName(65280)).toBe('TYPE65280')
    expect(typeCode('Https')).toBe(65)
    expect(typeCode('bogus')).toBeUndefined()
    for (const [name, n] of Object.entries(TYPE)) expect(typeNumber(name)).toBe(n)
  })
})

describe('class registry', () => {
  it('reads a class in every spelling', () => {
    expect(classNumber('IN')).toBe(1)
    expect(classNumber('in')).toBe(1)
    expect(classNumber('Ch')).toBe(3)
    expect(classNumber('cs')).toBe(2)
    expect(classNumber('HS')).toBe(4)
    expect(classNumber('none')).toBe(254)
    expect(classNumber('ANY')).toBe(255)
    expect(classNumber('CLASS3')).toBe(3)
    expect(classNumber('class65535')).toBe(65535)
    expect(classNumber('CLASS65536')).toBeUndefined()
    expect(classNumber('CLASS123456')).toBeUndefined()
    expect(classNumber('UNKNOWN_4')).toBe(4)
    expect(classNumber('CLASS')).toBeUndefined()
    expect(classNumber('CLASS3x')).toBeUndefined()
    expect(classNumber('CLASSx3')).toBeUndefined()
    expect(classNumber('3')).toBeUndefined()
    expect(classNumber('CHAOS')).toBeUndefined()
    for (const [name, n] of Object.entries(CLASS)) expect(classNumber(name)).toBe(n)
  })

  it('spells class numbers as dns-packet and master files do', () => {
    for (let n = 0; n <= 300; n++) expect(packetClassName(n)).toBe(packetClasses.toString(n))
    expect(packetClassName(254)).toBe('UNKNOWN_254')
    expect(classMnemonic(1)).toBe('IN')
    expect(classMnemonic(2)).toBe('CS')
    expect(classMnemonic(3)).toBe('CH')
    expect(classMnemonic(4)).toBe('HS')
    expect(classMnemonic(254)).toBe('CLASS254')
    expect(classMnemonic(255)).toBe('CLASS255')
    expect(className(1)).toBe('IN')
    expect(className(3)).toBe('CH')
    expect(className(255)).toBe('ANY')
    expect(className(254)).toBe('CLASS254')
    expect(className(7)).toBe('CLASS7')
    expect(classCode('chaos')).toBeUndefined()
    expect(classCode('CLASS255')).toBe(255)
  })
})

describe('rcodes, opcodes and flags', () => {
  it('names rcodes, unassigned ones as RCODEn', () => {
    for (const [name, n] of Object.entries(RCODE)) expect(rcodeName(n)).toBe(name)
    expect(RCODE).toMatchObject({ NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, NOTAUTH: 9, BADVERS: 16 })
    expect(rcodeName(3)).toBe('NXDOMAIN')
    expect(rcodeName(12)).toBe('RCODE12')
    expect(rcodeName(17)).toBe('RCODE17')
  })

  it('has the header bits where RFC 1035 puts them', () => {
    expect(FLAG).toEqual({ QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010 })
    expect(COPY_FLAGS_MASK).toBe(0x7910)
    expect(OPCODE).toEqual({ QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5, DSO: 6 })
  })
})
