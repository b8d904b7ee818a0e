/**
 * {@link UpdateResponder}: answers RFC 2136 UPDATE messages for the zones of a {@link ZoneStore}.
 * Handed to the Authority (`new Authority({ store, update: new UpdateResponder({ store, allowUpdate }) })`),
 * which passes it every UPDATE, over UDP and TCP. The order of checks is RFC 2136 §3: the zone
 * section (FORMERR, NOTAUTH), the message's sections (FORMERR, NOTZONE), the policy (REFUSED),
 * then the prerequisites and the update, all or nothing, in the store (YXDOMAIN, NXDOMAIN,
 * YXRRSET, NXRRSET; NOERROR once the change is on disk and served).
 */
import type { Packet } from 'dns-packet'
import { CLASS } from '../packet/constants.js'
import type { RcodeName } from '../packet/constants.js'
import { canonicalName } from '../packet/names.js'
import type { HandlerResult } from '../server/handler.js'
import type { DnsQuery } from '../server/query.js'
import { respond } from '../server/respond.js'
import { isDnsHaError } from '../util/errors.js'
import type { UpdateGrant } from './update-policy.js'
import { updateAllowed } from './update-policy.js'
import { readUpdateMessage } from './update-message.js'
import type { ZoneStore } from './zone-store.js'

/** Options of {@link UpdateResponder}. */
export interface UpdateResponderOptions {
  store: ZoneStore
  /** The grants (BIND `update-policy`); none: every UPDATE is refused. A TSIG-signed message is always required. */
  allowUpdate?: UpdateGrant[]
}

/** Counters of {@link UpdateResponder}, by rcode answered. */
export interface UpdateResponderSnapshot {
  rcodes: Record<string, number>
}

/** Answers UPDATE messages for a store's zones (see the module comment). */
export class UpdateResponder {
  readonly #store: ZoneStore
  readonly #grants: UpdateGrant[]
  readonly #rcodes: Record<string, number> = {}

  constructor(options: UpdateResponderOptions) {
    this.#store = options.store
    this.#grants = [...(options.allowUpdate ?? [])]
  }

  /** The answer to one UPDATE message (never throws: a malformed one gets FORMERR). */
  async answerUpdate(query: DnsQuery): Promise<HandlerResult> {
    const message = readUpdateMessage(query.raw)
    if (!message.ok && message.zone === undefined) return this.#answer(query, message.rcode)
    const origin = this.#origin(message.zone!)
    if (origin === undefined || message.zoneClass !== CLASS.IN) return this.#answer(query, 'NOTAUTH')
    if (!message.ok) return this.#answer(query, message.rcode)
    const keyName = query.tsig?.keyName
    if (!updateAllowed(this.#grants, keyName, origin, message.touched)) return this.#answer(query, 'REFUSED')
    try {
      await this.#store.update(origin, message.changes, { prerequisites: message.prerequisites, source: `update:${keyName}`, mode: 'rfc2136' })
      return this.#answer(query, 'NOERROR')
    } catch (error) {
      return this.#answer(query, rcodeFor(error))
    }
  }

  /** Answer counts by rcode, as plain data. */
  snapshot(): UpdateResponderSnapshot {
    return { rcodes: { ...this.#rcodes } }
  }

  #origin(zone: string): string | undefined {
    const key = canonicalName(zone)
    return this.#store.origins().find((o) => canonicalName(o) === key)
  }

  #answer(query: DnsQuery, rcode: RcodeName): Packet {
    this.#rcodes[rcode] = (this.#rcodes[rcode] ?? 0) + 1
    return respond(query, { rcode })
  }
}

/** The rcode for a store refusal: the prerequisite's own, NOTZONE, NOTAUTH, REFUSED for a zone it would break, SERVFAIL for I/O. */
function rcodeFor(error: unknown): RcodeName {
  if (!isDnsHaError(error)) return 'SERVFAIL'
  switch (error.code) {
    case 'ERR_RECORDS_PREREQ':
      return (error.details?.rcode as RcodeName | undefined) ?? 'SERVFAIL'
    case 'ERR_RECORDS_NOTZONE':
      return 'NOTZONE'
    case 'ERR_RECORDS_UNKNOWN_ZONE':
      return 'NOTAUTH'
    case 'ERR_RECORDS_INVALID':
      return 'REFUSED'
    default:
      return 'SERVFAIL'
  }
}
