import { describe, expect, it } from 'vitest'
import { ByteWriter, MAX_MESSAGE_SIZE } from '../../src/packet/byte-writer.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { errorOf } from '../support/error-of.js'

describe('ByteWriter', () => {
  it('writes big-endian integers, keeping only the bits that fit', () => {
    const w = new ByteWriter()
    w.u8(0x1ab).u16(0x1beef).u32(-1).u32(0x01020304)
    expect([...w.done()]).toEqual([0xab, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])
    expect(w.pos).toBe(11)
  })

  it('writes raw bytes, latin1 text, character-strings and names', () => {
    const w = new ByteWriter()
    w.bytes(Uint8Array.of(9, 8)).latin1('a\xff').characterString('hi').characterString('').name('Ab.c.')
    expect([...w.done()]).toEqual([9, 8, 0x61, 0xff, 2, 0x68, 0x69, 0, 2, 0x41, 0x62, 1, 0x63, 0])
  })

  it('takes a 255-byte character-string and refuses 256', () => {
    const w = new ByteWriter()
    w.characterString('x'.repeat(255))
    const out = w.done()
    expect(out).toHaveLength(256)
    expect(out[0]).toBe(255)
    const error = errorOf(() => new ByteWriter().characterString('x'.repeat(256)))
    expect(isDnsHaError(error, 'ERR_ENCODE')).toBe(true)
    expect((error as Error).message).toBe('character-string longer than 255 bytes')
  })

  it('patches a length written earlier', () => {
    const w = new ByteWriter()
    w.u16(0).u8(7).u8(7)
    w.patchU16(0, 0x10002)
    expect([...w.done()]).toEqual([0, 2, 7, 7])
  })

  it('hands out a copy that later writes do not change', () => {
    const w = new ByteWriter({ initialSize: 8 })
    w.u16(0x0102)
    const first = w.done()
    w.patchU16(0, 0xffff)
    w.u8(3)
    expect([...first]).toEqual([1, 2])
    expect(first.buffer).not.toBe(w.buf.buffer)
  })

  it('starts at 64 bytes, doubles, and jumps straight to a larger need', () => {
    const w = new ByteWriter()
    expect(w.buf.length).toBe(64)
    w.bytes(new Uint8Array(64))
    expect(w.buf.length).toBe(64)
    w.u8(1)
    expect(w.buf.length).toBe(128)
    const v = new ByteWriter({ initialSize: 4 })
    v.u16(0xaaaa).bytes(new Uint8Array(20).fill(5))
    expect(v.buf.length).toBe(22)
    expect([...v.done()]).toEqual([0xaa, 0xaa, ...new Array<number>(20).fill(5)])
  })

  it('never holds more than maxSize, and says how much that is', () => {
    const w = new ByteWriter({ initialSize: 4, maxSize: 6 })
    w.u8(1).u8(2).u8(3).u8(4).u8(5)
    expect(w.buf.length).toBe(6)
    w.u8(6)
    expect([...w.done()]).toEqual([1, 2, 3, 4, 5, 6])
    const error = errorOf(() => w.u8(7))
    expect(isDnsHaError(error, 'ERR_ENCODE')).toBe(true)
    expect((error as Error).message).toBe('more than 6 bytes')
    expect(new ByteWriter({ initialSize: 100, maxSize: 10 }).buf.length).toBe(10)
    expect(() => new ByteWriter({ maxSize: 3 }).u32(1)).toThrow('more than 3 bytes')
  })

  it('holds a whole 65,535-byte message by default and not one byte more', () => {
    expect(MAX_MESSAGE_SIZE).toBe(65535)
    const w = new ByteWriter()
    w.bytes(new Uint8Array(65535))
    expect(w.done()).toHaveLength(65535)
    const error = errorOf(() => w.u8(0))
    expect(isDnsHaError(error, 'ERR_ENCODE')).toBe(true)
    expect((error as Error).message).toBe('more than 65535 bytes')
  })

  it('fills a fixed buffer exactly, then refuses to grow it', () => {
    const buffer = Buffer.alloc(4)
    const w = new ByteWriter({ buffer })
    w.u32(0xdeadbeef)
    expect(w.buf).toBe(buffer)
    expect([...buffer]).toEqual([0xde, 0xad, 0xbe, 0xef])
    const error = errorOf(() => w.u8(1))
    expect(isDnsHaError(error, 'ERR_ENCODE')).toBe(true)
    expect((error as Error).message).toBe('more than 4 bytes')
    expect(() => new ByteWriter({ buffer: Buffer.alloc(1) }).latin1('ab')).toThrow('more than 1 bytes')
  })
})
