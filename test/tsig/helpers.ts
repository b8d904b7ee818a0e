// Shared helpers for TSIG tests: a key per algorithm, a plain query, and byte surgery on a signed
// message (cutting its MAC short, flipping a byte).
import dnsPacket from 'dns-packet'
import type { TsigAlgorithm, TsigKey } from '../../src/tsig/index.js'
import { readTsig, TSIG_ALGORITHMS } from '../../src/tsig/index.js'

export const ALGORITHMS = Object.keys(TSIG_ALGORITHMS) as TsigAlgorithm[]

/** Unix seconds the tests sign at. */
export const NOW = 1_700_000_000

/** A key for `algorithm` with a secret as long as its hash, as tsig-keygen makes them. */
export function keyFor(algorithm: TsigAlgorithm, name = `${algorithm}-key.example.`): TsigKey {
  const secret = Buffer.alloc(TSIG_ALGORITHMS[algorithm].macSize)
  for (let i = 0; i < secret.length; i++) secret[i] = (i * 37 + algorithm.length) & 0xff
  return { name, algorithm, secret: secret.toString('base64') }
}

/** An unsigned query for `name`, optionally with EDNS. */
export function queryBytes(name = 'www.example.test', options: { id?: number; edns?: boolean } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: options.id ?? 0x1234,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: 'A' }],
    additionals: options.edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232 } as never] : [],
  })
}

/** A signed message with its MAC cut to `size` bytes (MAC size and RDLENGTH fixed up), as a truncating signer sends it. */
export function truncateMac(signed: Buffer, size: number): Buffer {
  return withMac(signed, (mac) => mac.subarray(0, size))
}

/** A signed message with its MAC replaced by `change(mac)`, MAC size and RDLENGTH fixed up. */
export function withMac(signed: Buffer, change: (mac: Buffer) => Buffer): Buffer {
  const found = readTsig(signed)
  if (found.status !== 'found') throw new Error('not signed')
  const { mac, otherData, offset } = found.record
  const replacement = change(mac)
  const macAt = signed.length - 6 - otherData.length - mac.length
  const out = Buffer.concat([signed.subarray(0, macAt), replacement, signed.subarray(macAt + mac.length)])
  out.writeUInt16BE(replacement.length, macAt - 2)
  const rdlengthAt = tsigTypeOffset(out, offset) + 8
  out.writeUInt16BE(out.readUInt16BE(rdlengthAt) + replacement.length - mac.length, rdlengthAt)
  return out
}

/** Where the TYPE field of the (uncompressed) TSIG record starting at `recordStart` is. */
export function tsigTypeOffset(bytes: Buffer, recordStart: number): number {
  let pos = recordStart
  while (bytes[pos] !== 0) pos += bytes[pos]! + 1
  return pos + 1
}

/** A copy of `bytes` with one bit flipped at `offset`. */
export function flip(bytes: Buffer, offset: number): Buffer {
  const out = Buffer.from(bytes)
  out[offset] = out[offset]! ^ 0x01
  return out
}

/** dns-packet's decode, typed with the rcode and flag fields it adds. */
export function decode(bytes: Uint8Array): ReturnType<typeof dnsPacket.decode> & { rcode?: string; flag_tc?: boolean } {
  return dnsPacket.decode(Buffer.from(bytes)) as ReturnType<typeof dnsPacket.decode> & { rcode?: string; flag_tc?: boolean }
}
