/**
 * Who may change what through UPDATE messages, as BIND's `update-policy`: grants to TSIG keys,
 * each naming the owners (exact names, `*.name` for names below one, or `'zonesub'` for anything
 * in the zone) and optionally the types it may change. Unsigned updates are always refused.
 */
import { canonicalName, isSubdomain } from '../packet/names.js'
import { typeKey } from '../packet/types.js'

/**
 * One grant: the TSIG key `key` may change records at `names` (`'zonesub'`: any name in the
 * zone; `'*.dyn.example.com.'`: names below dyn.example.com.; else that exact name) of `types`
 * (absent: every type) in `zones` (absent: every zone of the store).
 *
 * @example { key: 'ddns-key.', names: ['*.dyn.example.com.'], types: ['A', 'AAAA', 'TXT'] }
 */
export interface UpdateGrant {
  key: string
  names: 'zonesub' | string[]
  types?: string[]
  zones?: string[]
}

/** Whether `keyName` may make every change in `touched` (owner and type; type `'ANY'` for a whole name) to `zone`. */
export function updateAllowed(grants: readonly UpdateGrant[], keyName: string | undefined, zone: string, touched: readonly { name: string; type: string }[]): boolean {
  if (keyName === undefined) return false
  const key = canonicalKey(keyName)
  const mine = grants.filter((g) => canonicalKey(g.key) === key && (g.zones === undefined || g.zones.some((z) => canonicalKey(z) === canonicalKey(zone))))
  if (mine.length === 0) return false
  return touched.every((t) => mine.some((g) => nameAllowed(g, zone, t.name) && typeAllowed(g, t.type)))
}

function nameAllowed(grant: UpdateGrant, zone: string, name: string): boolean {
  const names = grant.names === 'zonesub' ? ['zonesub'] : grant.names
  return names.some((pattern) => {
    if (pattern === 'zonesub') return isSubdomain(name, zone)
    if (pattern.startsWith('*.')) {
      const parent = pattern.slice(2)
      return isSubdomain(name, parent) && canonicalKey(name) !== canonicalKey(parent)
    }
    return canonicalKey(pattern) === canonicalKey(name)
  })
}

function typeAllowed(grant: UpdateGrant, type: string): boolean {
  if (grant.types === undefined) return true
  // Deleting every RRset of a name needs a grant for every type.
  if (type === 'ANY') return false
  const key = typeKey(type)
  return grant.types.some((t) => typeKey(t) === key)
}

function canonicalKey(name: string): string {
  return canonicalName(name.endsWith('.') ? name : `${name}.`)
}
