/**
 * The {@link MemberPicker} a {@link UdpProxyPool} gives its relays (datagram sessions, the TCP
 * proxy): picks from the pool's own members with the pool's policy, and turns what the relays
 * report into the same member state, counters and events the DNS mode keeps. So a member the
 * TCP relay finds refusing connections is down for DNS queries too, and the other way round.
 *
 * The two modes differ in who may bring a member back. In DNS mode the pool probes down
 * members itself, so a relay's success only counts: a completed TCP handshake says little (a
 * frozen process still completes them in the kernel) and must not undo a frozen verdict. In
 * datagram mode there are no probes (the traffic is not DNS), so recovery is nginx's passive
 * one: a down member rests `failTimeoutMs`, then gets one trial pick; its first answer brings it
 * back (`member-up`), a failure sends it back to rest.
 */
import type { Balancer, BalancedMember, BalancePolicy } from '../pool/balancers.js'
import { createBalancer } from '../pool/balancers.js'
import type { Clock } from '../util/clock.js'
import type { Random } from '../util/random.js'
import type { MemberPicker, PickedMember } from './member-picker.js'
import type { ProxyMember } from './proxy-member.js'

/** What the picker needs of the pool that owns the members. */
export interface MemberSetHost {
  /** The pool's members now (the live list: added and removed members show up at once). */
  members(): readonly ProxyMember[]
  /** Takes a member down with the pool's events, moving its DNS queries on. */
  markDown(member: ProxyMember, reason: string): void
  /** A member came back: the pool's `member-up`. */
  reportUp(member: ProxyMember): void
}

/** Options of {@link MemberSetPicker}. */
export interface MemberSetPickerOptions {
  policy: BalancePolicy
  random: Random
  clock: Clock
  /** Datagram mode: answers bring members back, and down members get a trial after `failTimeoutMs` (no probes). */
  passive: boolean
}

/** A member as the relay balancer sees it: the member's own state plus a pending trial. */
interface Candidate extends BalancedMember {
  readonly member: ProxyMember
}

/** Picks the pool's members for relays and records what the relays report. */
export class MemberSetPicker implements MemberPicker {
  private readonly balancer: Balancer<Candidate>
  private readonly candidates = new WeakMap<ProxyMember, Candidate>()
  /** When each down member last had its trial pick (passive recovery). */
  private readonly trials = new WeakMap<ProxyMember, number>()

  constructor(
    private readonly host: MemberSetHost,
    private readonly options: MemberSetPickerOptions,
  ) {
    this.balancer = createBalancer<Candidate>(options.policy, { random: options.random })
  }

  pick(client: string, exclude: ReadonlySet<string>): PickedMember | undefined {
    const now = this.options.clock.now()
    const candidates = this.host.members().map((m) => this.candidate(m))
    const skip = new Set(candidates.filter((c) => exclude.has(c.key)))
    const picked = this.balancer.pick(candidates, client, now, skip)
    if (!picked) return undefined
    const member = picked.member
    if (!member.available()) this.trials.set(member, now)
    member.core.counters.queries++
    return { key: member.key, address: member.address, port: member.port }
  }

  failed(key: string, reason: string): void {
    const member = this.find(key)
    if (!member) return
    const now = this.options.clock.now()
    // A refusal is the kernel saying nothing listens: down at once, as ECONNREFUSED is in DNS mode.
    if (/ECONNREFUSED|port unreachable/.test(reason)) {
      member.core.counters.errors++
      if (member.up) this.host.markDown(member, reason)
      else this.trials.set(member, now)
      return
    }
    const tripped = /timed? ?out/.test(reason) ? member.recordTimeout(now) : (member.core.counters.errors++, member.recordFailure(now))
    if (!member.up) this.trials.set(member, now)
    else if (tripped) this.host.markDown(member, `${reason} (${member.maxFails} failure(s) within ${member.failTimeoutMs} ms)`)
  }

  answered(key: string, rttMs: number): void {
    const member = this.find(key)
    if (!member) return
    if (!this.options.passive) {
      member.core.counters.answers++
      return
    }
    this.trials.delete(member)
    if (member.recordAnswer(rttMs, this.options.clock.now()) && member.up) this.host.reportUp(member)
  }

  private find(key: string): ProxyMember | undefined {
    return this.host.members().find((m) => m.key === key)
  }

  private candidate(member: ProxyMember): Candidate {
    let c = this.candidates.get(member)
    if (!c) {
      const trials = this.trials
      const passive = this.options.passive
      c = {
        member,
        get key() {
          return member.key
        },
        get weight() {
          return member.weight
        },
        get backup() {
          return member.backup
        },
        get outstanding() {
          return member.outstanding
        },
        available(now: number): boolean {
          if (member.available()) return true
          // nginx: a member down by its own failures is tried again once it has rested fail_timeout.
          if (!passive || !member.ready || member.removed || member.disabled || member.healthDown !== undefined) return false
          const since = Math.max(member.core.downSince, trials.get(member) ?? -Infinity)
          return now - since >= member.failTimeoutMs
        },
      }
      this.candidates.set(member, c)
    }
    return c
  }
}
