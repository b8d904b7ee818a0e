/**
 * {@link TransferAcl}: who may transfer a zone from us. An entry is an address or CIDR (`'10.0.0.0/8'`,
 * `'::1'`, `'!192.0.2.1'`, `'any'`, as the util ACLs read them) or a TSIG key name (`'key:NAME'` or
 * `{ key: 'NAME' }`) that must have signed the request (verified by the server's keyring). The first
 * entry that matches decides, so `'!10.0.0.9'` before `'10.0.0.0/8'` excludes one host. Nothing
 * matching, or an empty list (the default, as NSD and Knot have it): refused.
 */
import { compileAcl } from '../util/cidr.js'
import { canonicalName } from '../packet/names.js'
import { DnsHaError } from '../util/errors.js'

/** One element of `allowTransfer`: an address/CIDR string, `'key:NAME'`, or `{ key: 'NAME' }`. */
export type TransferAclEntry = string | { key: string }

/** What an ACL decision looks at. */
export interface TransferRequester {
  address: string
  /** The TSIG key that signed the request, verified (`DnsQuery.tsig.keyName`). */
  keyName: string | undefined
}

type Rule = { kind: 'key'; name: string } | { kind: 'address'; match: (address: string) => boolean | undefined }

/** A compiled transfer ACL. */
export class TransferAcl {
  private readonly rules: Rule[]

  /** Compiles `entries`; throws `ERR_CONFIG` for an entry that is neither an address, a CIDR nor a key. */
  constructor(entries: readonly TransferAclEntry[] = []) {
    if (!Array.isArray(entries)) throw new DnsHaError('ERR_CONFIG', 'allowTransfer must be a list of CIDRs and key names')
    this.rules = entries.map((entry, index): Rule => {
      if (typeof entry === 'object' && entry !== null && typeof entry.key === 'string' && entry.key !== '') return { kind: 'key', name: canonicalName(entry.key) }
      if (typeof entry !== 'string') throw new DnsHaError('ERR_CONFIG', `allowTransfer[${index}]: expected a CIDR string, 'key:NAME' or { key: 'NAME' }`)
      if (entry.startsWith('key:')) {
        const name = entry.slice(4).trim()
        if (name === '') throw new DnsHaError('ERR_CONFIG', `allowTransfer[${index}]: 'key:' needs a key name`)
        return { kind: 'key', name: canonicalName(name) }
      }
      try {
        const acl = compileAcl([entry])
        return { kind: 'address', match: (address) => acl.match(address) }
      } catch (cause) {
        throw new DnsHaError('ERR_CONFIG', `allowTransfer[${index}]: ${(cause as Error).message}`, { cause })
      }
    })
  }

  /** True when the first matching entry allows `requester`. */
  allows(requester: TransferRequester): boolean {
    for (const rule of this.rules) {
      if (rule.kind === 'key') {
        if (requester.keyName !== undefined && canonicalName(requester.keyName) === rule.name) return true
        continue
      }
      const verdict = rule.match(requester.address)
      if (verdict !== undefined) return verdict
    }
    return false
  }
}
