/**
 * SVCB and HTTPS rdata (RFC 9460): priority, target, then `key=value` parameters written in key
 * order, as BIND 9.18 writes them.
 */
import { ByteWriter } from '../packet/byte-writer.js'
import { ipv6Bytes, isIPv6Text, normalizeIPv4 } from './address-codecs.js'
import type { RdataReader } from './rdata-reader.js'
import { parseUint, unescapeText } from './rdata-text.js'

/** SVCB SvcParamKey mnemonics (RFC 9460 and registry), indexed by key number. */
export const SVC_KEYS: readonly string[] = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath', 'ohttp']

/** SvcParamKey numbers whose values have a structured presentation. */
const KEY = { MANDATORY: 0, ALPN: 1, NO_DEFAULT_ALPN: 2, PORT: 3, IPV4HINT: 4, ECH: 5, IPV6HINT: 6, OHTTP: 8 } as const

/** SVCB/HTTPS wire rdata from the reader's tokens: priority, target, parameters sorted by key. */
export function parseSvcb(r: RdataReader): Buffer {
  const w = new ByteWriter()
  w.u16(r.uint('SvcPriority', 65535)).name(r.name('TargetName'))
  const params = new Map<number, Buffer>()
  while (r.more()) {
    const at = r.i
    const tok = r.word('SvcParam')
    const eq = tok.indexOf('=')
    const keyName = (eq < 0 ? tok : tok.slice(0, eq)).toLowerCase()
    let value: string | undefined
    if (eq >= 0) {
      value = tok.slice(eq + 1)
      if (value === '' && r.more() && r.lex.quoted[r.i]) value = r.word('SvcParam value')
    }
    const idx = SVC_KEYS.indexOf(keyName)
    const keyNum = idx >= 0 ? idx : /^key[0-9]{1,5}$/.test(keyName) ? Number(keyName.slice(3)) : -1
    if (keyNum < 0 || keyNum > 65535) throw r.error(`unknown SvcParamKey '${keyName}'`, at)
    if (params.has(keyNum)) throw r.error(`duplicate SvcParamKey '${keyName}'`, at)
    const text = value === undefined ? undefined : unescapeText(value)
    if (value !== undefined && text === undefined) throw r.error(`bad escape in SvcParam '${keyName}'`, at)
    params.set(keyNum, svcValue(keyNum, text, r, at))
  }
  for (const k of [...params.keys()].sort((a, b) => a - b)) {
    const v = params.get(k) as Buffer
    w.u16(k).u16(v.length).bytes(v)
  }
  return w.done()
}

/** The wire value of SvcParam `key` from its unescaped presentation `text`. */
function svcValue(key: number, text: string | undefined, r: RdataReader, at: number): Buffer {
  const need = (): string => {
    if (text === undefined || text === '') throw r.error(`SvcParam '${SVC_KEYS[key] ?? 'key' + key}' needs a value`, at)
    return text
  }
  switch (key) {
    case KEY.MANDATORY: {
      const keys = need().split(',').map((k) => {
        const i = SVC_KEYS.indexOf(k)
        const n = i >= 0 ? i : /^key[0-9]{1,5}$/.test(k) ? Number(k.slice(3)) : -1
        if (n < 0) throw r.error(`unknown key '${k}' in mandatory`, at)
        return n
      })
      const w = new ByteWriter()
      for (const k of keys.sort((a, b) => a - b)) w.u16(k)
      return w.done()
    }
    case KEY.ALPN: {
      const w = new ByteWriter()
      for (const id of splitCommaList(need())) {
        if (id.length > 255) throw r.error('alpn id longer than 255 bytes', at)
        w.characterString(id)
      }
      return w.done()
    }
    case KEY.NO_DEFAULT_ALPN: case KEY.OHTTP:
      if (text !== undefined && text !== '') throw r.error(`SvcParam '${SVC_KEYS[key]}' takes no value`, at)
      return Buffer.alloc(0)
    case KEY.PORT: {
      const p = parseUint(need())
      if (p === undefined || p > 65535) throw r.error(`bad port '${text}'`, at)
      return new ByteWriter().u16(p).done()
    }
    case KEY.IPV4HINT: {
      const w = new ByteWriter()
      for (const a of need().split(',')) {
        const v = normalizeIPv4(a)
        if (v === undefined) throw r.error(`bad ipv4hint '${a}'`, at)
        for (const part of v.split('.')) w.u8(Number(part))
      }
      return w.done()
    }
    case KEY.ECH: {
      const v = need()
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw r.error('bad base64 in ech', at)
      return Buffer.from(v, 'base64')
    }
    case KEY.IPV6HINT: {
      const w = new ByteWriter()
      for (const a of need().split(',')) {
        if (!isIPv6Text(a)) throw r.error(`bad ipv6hint '${a}'`, at)
        w.bytes(ipv6Bytes(a))
      }
      return w.done()
    }
    default:
      return Buffer.from(text ?? '', 'latin1')
  }
}

/** An alpn value split at unescaped commas. */
function splitCommaList(v: string): string[] {
  // Inside an alpn value, `\,` was already unescaped to `,`... RFC 9460 uses a second level of
  // escaping: the presentation value `foo\\,bar` means the single id `foo,bar`.
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < v.length; i++) {
    const c = v.charAt(i)
    if (c === '\\' && i + 1 < v.length) {
      cur += v.charAt(++i)
    } else if (c === ',') {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}
