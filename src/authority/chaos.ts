/**
 * CHAOS-class identity queries (`version.bind`, `hostname.bind` and their RFC 4892 aliases
 * `version.server`, `id.server`), answered from options as BIND's `version "..."` and
 * `hostname "..."` lines do (the answer shaped as NSD shapes it: the TXT alone, AA=0); REFUSED
 * when the option is not set (hiding it), as NSD's `hide-version` does.
 */
import type { Answer } from 'dns-packet'

/** What to tell CHAOS TXT queries. */
export interface ChaosOptions {
  /** Answer to `version.bind` / `version.server` (unset: REFUSED). */
  version?: string
  /** Answer to `hostname.bind` / `id.server` (unset: REFUSED). */
  hostname?: string
}

/** The TXT record answering a CH query, or `undefined` when it is to be refused. */
export function chaosAnswer(qname: string, qtype: string, options: ChaosOptions): Answer | undefined {
  if (qtype !== 'TXT' && qtype !== 'ANY') return undefined
  const lower = qname.toLowerCase()
  let text: string | undefined
  if (lower === 'version.bind.' || lower === 'version.server.') text = options.version
  else if (lower === 'hostname.bind.' || lower === 'id.server.') text = options.hostname
  if (text === undefined) return undefined
  return { name: qname, type: 'TXT', class: 'CH', ttl: 0, data: [text] } as unknown as Answer
}
