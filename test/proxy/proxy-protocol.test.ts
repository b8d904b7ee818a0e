import { describe, expect, it } from 'vitest'
import { encodeProxyV2Header, PROXY_V2_SIGNATURE } from '../../src/proxy/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { errorOf } from '../support/error-of.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const SIG = '0d0a0d0a000d0a515549540a'

describe('encodeProxyV2Header', () => {
  it('writes TCP over IPv4 byte for byte', () => {
    const header = encodeProxyV2Header({ address: '192.0.2.1', port: 56324 }, { address: '198.51.100.7', port: 53 })
    // signature, ver/cmd 0x21, fam 0x11, length 12, src, dst, sport 0xdc04, dport 0x0035
    expect(hex(header)).toBe(`${SIG}2111000cc0000201c633640 7dc040035`.replace(/ /g, ''))
    expect(header.length).toBe(28)
  })

  it('writes TCP over IPv6 byte for byte', () => {
    const header = encodeProxyV2Header({ address: '2001:db8::1', port: 1 }, { address: '2001:db8::53', port: 65535 })
    expect(hex(header)).toBe(`${SIG}21210024` + '20010db8000000000000000000000001' + '20010db8000000000000000000000053' + '0001' + 'ffff')
    expect(header.length).toBe(52)
  })

  it('folds IPv4-mapped IPv6 to IPv4, and maps IPv4 into IPv6 when the other end is IPv6', () => {
    expect(hex(encodeProxyV2Header({ address: '::ffff:127.0.0.1', port: 1000 }, { address: '127.0.0.2', port: 53 }))).toBe(`${SIG}2111000c7f0000017f00000203e80035`)
    expect(hex(encodeProxyV2Header({ address: '10.1.2.3', port: 1000 }, { address: '::1', port: 53 }))).toBe(
      `${SIG}21210024` + '00000000000000000000ffff0a010203' + '00000000000000000000000000000001' + '03e80035',
    )
  })

  it('exports the signature', () => {
    expect(hex(PROXY_V2_SIGNATURE)).toBe(SIG)
  })

  it('rejects what is not an IP address or a port', () => {
    expect(isDnsHaError(errorOf(() => encodeProxyV2Header({ address: 'localhost', port: 1 }, { address: '::1', port: 53 })), 'ERR_PROXY_ADDRESS')).toBe(true)
    expect(isDnsHaError(errorOf(() => encodeProxyV2Header({ address: '10.0.0.1', port: 65536 }, { address: '10.0.0.2', port: 53 })), 'ERR_PROXY_ADDRESS')).toBe(true)
    expect(isDnsHaError(errorOf(() => encodeProxyV2Header({ address: '10.0.0.1', port: 1 }, { address: '10.0.0.2', port: -1 })), 'ERR_PROXY_ADDRESS')).toBe(true)
  })
})
