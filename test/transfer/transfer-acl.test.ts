import { describe, expect, it } from 'vitest'
import { TransferAcl } from '../../src/transfer/index.js'

describe('TransferAcl', () => {
  it('allows nobody when empty', () => {
    expect(new TransferAcl().allows({ address: '127.0.0.1', keyName: 'k.' })).toBe(false)
  })

  it('matches CIDRs, and the first matching entry decides (a negation before a range)', () => {
    const acl = new TransferAcl(['!10.0.0.9', '10.0.0.0/8', '2001:db8::/32'])
    expect(acl.allows({ address: '10.1.2.3', keyName: undefined })).toBe(true)
    expect(acl.allows({ address: '10.0.0.9', keyName: undefined })).toBe(false)
    expect(acl.allows({ address: '2001:db8::5', keyName: undefined })).toBe(true)
    expect(acl.allows({ address: '192.0.2.1', keyName: undefined })).toBe(false)
  })

  it("matches a verified key by name, written 'key:NAME' or { key: NAME }, any case, trailing dot optional", () => {
    const acl = new TransferAcl(['key:Xfr-Key', { key: 'other.' }])
    expect(acl.allows({ address: '192.0.2.1', keyName: 'xfr-key.' })).toBe(true)
    expect(acl.allows({ address: '192.0.2.1', keyName: 'other.' })).toBe(true)
    expect(acl.allows({ address: '192.0.2.1', keyName: 'third.' })).toBe(false)
    expect(acl.allows({ address: '192.0.2.1', keyName: undefined })).toBe(false)
  })

  it('rejects what is neither an address, a CIDR nor a key', () => {
    expect(() => new TransferAcl(['10.0.0.0/33'])).toThrow(/allowTransfer\[0\]/)
    expect(() => new TransferAcl(['key:'])).toThrow(/needs a key name/)
    expect(() => new TransferAcl([42 as never])).toThrow(/allowTransfer\[0\]/)
    expect(() => new TransferAcl('10.0.0.0/8' as never)).toThrow(/must be a list/)
  })
})

describe('TransferAcl configuration errors', () => {
  const error = (entries: unknown): unknown => {
    try {
      new TransferAcl(entries as never)
    } catch (e) {
      return e
    }
    throw new Error('no error')
  }

  it('reports each as ERR_CONFIG naming the entry', () => {
    for (const entries of ['10.0.0.0/8', [null], [{}], [{ key: '' }], [{ key: 42 }], ['key:  '], ['not-an-address']]) {
      expect(error(entries), JSON.stringify(entries)).toMatchObject({ code: 'ERR_CONFIG' })
    }
    expect(error([null])).toMatchObject({ message: expect.stringContaining('allowTransfer[0]: expected a CIDR string') })
    expect(error(['192.0.2.1', { key: '' }])).toMatchObject({ message: expect.stringContaining('allowTransfer[1]') })
  })

  it('keeps the parser error as the cause of a bad CIDR', () => {
    expect((error(['10.0.0.0/33']) as { cause?: unknown }).cause).toBeInstanceOf(Error)
  })

  it("trims the name after 'key:'", () => {
    expect(new TransferAcl(['key: xfr-key ']).allows({ address: '192.0.2.1', keyName: 'xfr-key.' })).toBe(true)
  })
})
