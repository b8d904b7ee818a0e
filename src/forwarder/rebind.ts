/**
 * DNS-rebind protection as dnsmasq 2.90 has it (`stop-dns-rebind`, `rebind-localhost-ok`,
 * `rebind-domain-ok`): an upstream answer whose question or CNAME chain carries an address in a
 * private range is not passed on. The client gets what dnsmasq sends: NOERROR with every
 * section emptied, and Extended DNS Error 15 (Blocked) when it sent EDNS.
 */
import { TYPE } from '../packet/constants.js'
import { canonicalName, isCanonicalSubdomain } from '../packet/names.js'
import { skipName } from '../packet/wire.js'
import { chainNames, wireRecords } from './bailiwick.js'

/** The forwarder's rebind options (dnsmasq's names in comments). */
export interface RebindOptions {
  /** `stop-dns-rebind`: drop upstream answers with private addresses (default false, as in dnsmasq). */
  stopDnsRebind?: boolean
  /** `rebind-localhost-ok`: let 127.0.0.0/8, 0.0.0.0/8, ::1 and :: through. */
  rebindLocalhostOk?: boolean
  /** `rebind-domain-ok=/domain/`: names at or below these domains are not checked. */
  rebindDomainOk?: string[]
}

/**
 * dnsmasq's `private_net()`: 10/8, 172.16/12, 192.168/16, 169.254/16, the three IPv4 test nets,
 * 255.255.255.255, and unless `localhostOk` 127/8 and 0/8. 100.64/10, multicast and 240/4 are
 * not private to dnsmasq. `bytes` is the 4-byte address.
 */
export function isPrivateIpv4(b: ArrayLike<number>, localhostOk: boolean): boolean {
  const [a, c, d, e] = [b[0]!, b[1]!, b[2]!, b[3]!]
  if (a === 127 || a === 0) return !localhostOk
  return (
    a === 10 ||
    (a === 172 && (c & 0xf0) === 16) ||
    (a === 192 && c === 168) ||
    (a === 169 && c === 254) ||
    (a === 192 && c === 0 && d === 2) ||
    (a === 198 && c === 51 && d === 100) ||
    (a === 203 && c === 0 && d === 113) ||
    (a === 255 && c === 255 && d === 255 && e === 255)
  )
}

/**
 * dnsmasq's `private_net6()`: IPv4-mapped addresses by the IPv4 rule, fe80::/10 (link-local),
 * fec0::/10 (site-local), fd00::/8 (ULA; fc00::/8 is not), 2001:db8::/32, and unless
 * `localhostOk` :: and ::1. `b` is the 16-byte address.
 */
export function isPrivateIpv6(b: ArrayLike<number>, localhostOk: boolean): boolean {
  let zeros = 0
  while (zeros < 10 && b[zeros] === 0) zeros++
  if (zeros === 10 && b[10] === 0xff && b[11] === 0xff) return isPrivateIpv4([b[12]!, b[13]!, b[14]!, b[15]!], localhostOk)
  if (zeros === 10 && b[10] === 0 && b[11] === 0 && b[12] === 0 && b[13] === 0 && b[14] === 0 && (b[15] === 0 || b[15] === 1)) return !localhostOk
  const first = b[0]!
  const second = b[1]!
  return (first === 0xfe && (second & 0xc0) === 0x80) || (first === 0xfe && (second & 0xc0) === 0xc0) || first === 0xfd || (first === 0x20 && second === 0x01 && b[2] === 0x0d && b[3] === 0xb8)
}

/** Decides, per upstream answer, whether rebind protection drops it. */
export class RebindGuard {
  readonly enabled: boolean
  private readonly localhostOk: boolean
  private readonly okDomains: string[]

  constructor(options: RebindOptions) {
    this.enabled = options.stopDnsRebind ?? false
    this.localhostOk = options.rebindLocalhostOk ?? false
    this.okDomains = (options.rebindDomainOk ?? []).map((d) => canonicalName(d.endsWith('.') ? d : d + '.'))
  }

  /**
   * True when `response` (an upstream answer to a question about `name`, canonical) must be
   * dropped: protection is on, `name` is under no `rebindDomainOk` domain, and an A or AAAA of the
   * question name or its CNAME chain in the answer section is private. Records for other names
   * are not looked at, as in dnsmasq (and they never reach the cache).
   */
  blocks(name: string, response: Uint8Array): boolean {
    if (!this.enabled) return false
    const fqdn = name.endsWith('.') ? name : name + '.'
    if (this.okDomains.some((d) => isCanonicalSubdomain(fqdn, d))) return false
    const { qname, records } = wireRecords(response)
    if (qname === undefined) return false
    const chain = new Set(chainNames(response, qname, records))
    for (const r of records) {
      if (r.section !== 'answer' || !chain.has(r.owner)) continue
      if (r.type === TYPE.A && r.rdlength === 4 && isPrivateIpv4(response.subarray(r.rdata, r.rdata + 4), this.localhostOk)) return true
      if (r.type === TYPE.AAAA && r.rdlength === 16 && isPrivateIpv6(response.subarray(r.rdata, r.rdata + 16), this.localhostOk)) return true
    }
    return false
  }
}

/**
 * The answer dnsmasq gives for a dropped one: the upstream's header and question, every count
 * zero, TC cleared (the rcode as the upstream sent it).
 */
export function emptiedResponse(response: Uint8Array): Uint8Array {
  const qd = (response[4]! << 8) | response[5]!
  const out = response.slice(0, qd === 0 ? 12 : skipName(response, 12) + 4)
  out[2] = out[2]! & ~0x02 // TC
  if (qd > 1) out[5] = 1
  for (let i = 6; i < 12; i++) out[i] = 0
  return out
}
