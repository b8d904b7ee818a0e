/**
 * {@link readUpdateMessage}: an RFC 2136 UPDATE message read off the wire into the store's
 * vocabulary, with the section rules of RFC 2136 §3.1.1, §3.4.1 and §3.4.1.3: a message that
 * breaks them gets FORMERR, a name outside the zone NOTZONE. The zone itself (is it ours?) and
 * the policy are the responder's business.
 */
import dnsPacket from 'dns-packet'
import { CLASS, TYPE } from '../packet/constants.js'
import { isSubdomain } from '../packet/names.js'
import { packetClassName, packetTypeName } from '../packet/types.js'
import { readName } from '../packet/wire.js'
import { zoneRecordFromWire } from '../transfer/wire-records.js'
import type { ZoneRecord } from '../zone/zone.js'
import type { Prerequisite, RecordChange } from './update-types.js'

/** A well-formed UPDATE: the zone, its prerequisites and changes. */
export interface UpdateMessage {
  ok: true
  zone: string
  zoneClass: number
  prerequisites: Prerequisite[]
  changes: RecordChange[]
  /** Owner and type of every update RR, for the policy (`'ANY'` for a delete of a whole name). */
  touched: { name: string; type: string }[]
}

/** Why an UPDATE is refused before the zone is looked at. */
export interface UpdateMessageError {
  ok: false
  rcode: 'FORMERR' | 'NOTZONE'
  reason: string
  /** The zone section's name and class, once they were read (a zone not ours is NOTAUTH before anything else). */
  zone?: string
  zoneClass?: number
}

interface WireRR {
  name: string
  type: number
  klass: number
  ttl: number
  rdlength: number
  record: ZoneRecord | undefined
}

const codecs = dnsPacket as unknown as { answer: { decode: ((buf: Buffer, offset: number) => { name: string; type: string; class?: string; ttl?: number; data?: unknown }) & { bytes: number } } }

/** Types that are not data (RFC 2136 §3.4.1.3: not in an update): ANY, AXFR, IXFR, MAILA, MAILB, OPT, TSIG, TKEY. */
function isMetaType(type: number): boolean {
  return type === TYPE.OPT || (type >= 128 && type <= 255) || type === 249 || type === 250
}

/** Reads the zone, prerequisite and update sections of `raw` (an UPDATE message). */
export function readUpdateMessage(raw: Buffer): UpdateMessage | UpdateMessageError {
  const formerr = (reason: string): UpdateMessageError => ({ ok: false, rcode: 'FORMERR', reason })
  try {
    if (raw.length < 12) return formerr('short header')
    const zocount = raw.readUInt16BE(4)
    const prcount = raw.readUInt16BE(6)
    const upcount = raw.readUInt16BE(8)
    if (zocount !== 1) return formerr(`the zone section has ${zocount} records, not 1`)
    const zname = readName(raw, 12)
    if (zname.end + 4 > raw.length) return formerr('truncated zone section')
    const ztype = raw.readUInt16BE(zname.end)
    const zclass = raw.readUInt16BE(zname.end + 2)
    if (ztype !== TYPE.SOA) return formerr('the zone section type is not SOA')
    const zone = zname.name
    const inZone = (e: UpdateMessageError): UpdateMessageError => ({ ...e, zone, zoneClass: zclass })
    let offset = zname.end + 4
    const prereqRRs: WireRR[] = []
    const updateRRs: WireRR[] = []
    for (let i = 0; i < prcount + upcount; i++) {
      const rr = readRR(raw, offset)
      if (rr === undefined) return inZone(formerr('truncated or malformed record'))
      offset = rr.end
      ;(i < prcount ? prereqRRs : updateRRs).push(rr.rr)
    }
    const notzone = (name: string): UpdateMessageError => ({ ok: false, rcode: 'NOTZONE', reason: `${name} is not in zone ${zone}`, zone, zoneClass: zclass })

    // Prerequisites (§3.4.1): value-dependent ones are gathered per RRset.
    const prerequisites: Prerequisite[] = []
    const valued = new Map<string, { name: string; type: string; records: ZoneRecord[] }>()
    for (const rr of prereqRRs) {
      if (rr.ttl !== 0) return inZone(formerr('a prerequisite TTL is not 0'))
      if (!isSubdomain(rr.name, zone)) return notzone(rr.name)
      const type = packetTypeName(rr.type)
      if (rr.klass === CLASS.ANY || rr.klass === CLASS.NONE) {
        if (rr.rdlength !== 0) return inZone(formerr('a prerequisite of class ANY or NONE has rdata'))
        const any = rr.type === TYPE.ANY
        if (!any && isMetaType(rr.type)) return inZone(formerr(`prerequisite type ${type}`))
        if (rr.klass === CLASS.ANY) prerequisites.push(any ? { kind: 'name-in-use', name: rr.name } : { kind: 'rrset-exists', name: rr.name, type })
        else prerequisites.push(any ? { kind: 'name-absent', name: rr.name } : { kind: 'rrset-absent', name: rr.name, type })
      } else if (rr.klass === zclass) {
        if (isMetaType(rr.type) || rr.record === undefined) return inZone(formerr(`prerequisite type ${type}`))
        const key = `${rr.name.toLowerCase()} ${type}`
        let set = valued.get(key)
        if (set === undefined) valued.set(key, (set = { name: rr.name, type, records: [] }))
        set.records.push(rr.record)
      } else {
        return inZone(formerr(`prerequisite class ${rr.klass}`))
      }
    }
    for (const set of valued.values()) prerequisites.push({ kind: 'rrset-exists', name: set.name, type: set.type, records: set.records })

    // Updates (§3.4.1.3 prescan, §3.4.2 meaning).
    const changes: RecordChange[] = []
    const touched: { name: string; type: string }[] = []
    for (const rr of updateRRs) {
      if (!isSubdomain(rr.name, zone)) return notzone(rr.name)
      const type = packetTypeName(rr.type)
      if (rr.klass === zclass) {
        if (isMetaType(rr.type) || rr.record === undefined) return inZone(formerr(`cannot add type ${type}`))
        changes.push({ op: 'add', record: rr.record })
      } else if (rr.klass === CLASS.ANY) {
        if (rr.ttl !== 0 || rr.rdlength !== 0) return inZone(formerr('a delete of class ANY has a TTL or rdata'))
        if (rr.type !== TYPE.ANY && isMetaType(rr.type)) return inZone(formerr(`cannot delete type ${type}`))
        changes.push(rr.type === TYPE.ANY ? { op: 'delete-name', name: rr.name } : { op: 'delete-rrset', name: rr.name, type })
      } else if (rr.klass === CLASS.NONE) {
        if (rr.ttl !== 0) return inZone(formerr('a delete of class NONE has a TTL'))
        if (isMetaType(rr.type) || rr.record === undefined) return inZone(formerr(`cannot delete type ${type}`))
        changes.push({ op: 'delete', record: { ...rr.record, class: packetClassName(zclass) } })
      } else {
        return inZone(formerr(`update class ${rr.klass}`))
      }
      touched.push({ name: rr.name, type: rr.type === TYPE.ANY ? 'ANY' : type })
    }
    return { ok: true, zone, zoneClass: zclass, prerequisites, changes, touched }
  } catch (error) {
    return formerr(`malformed message: ${(error as Error)?.message ?? String(error)}`)
  }
}

/** One resource record; `record` is its decoded form when it has rdata. `undefined` when malformed. */
function readRR(raw: Buffer, offset: number): { rr: WireRR; end: number } | undefined {
  const owner = readName(raw, offset)
  const p = owner.end
  if (p + 10 > raw.length) return undefined
  const type = raw.readUInt16BE(p)
  const klass = raw.readUInt16BE(p + 2)
  const ttl = raw.readUInt32BE(p + 4)
  const rdlength = raw.readUInt16BE(p + 8)
  const end = p + 10 + rdlength
  if (end > raw.length) return undefined
  let record: ZoneRecord | undefined
  if (rdlength > 0 && !isMetaType(type)) {
    // dns-packet reads the rdata (names may be compressed against the whole message); the class
    // is taken as the zone's, since NONE deletes carry the rdata of a record of the zone's class.
    const copy = Buffer.from(raw)
    copy.writeUInt16BE(CLASS.IN, p + 2)
    const decoded = codecs.answer.decode(copy, offset)
    if (offset + codecs.answer.decode.bytes !== end) return undefined
    record = zoneRecordFromWire({ ...decoded, class: packetClassName(CLASS.IN), ttl })
  }
  return { rr: { name: owner.name, type, klass, ttl, rdlength, record }, end }
}
