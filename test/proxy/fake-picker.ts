// A MemberPicker over a fixed list: the first member not excluded (and not marked out), with every
// failed/answered report recorded, so relay tests can assert exactly what the pool would hear.
import type { MemberPicker, PickedMember } from '../../src/proxy/index.js'

export interface FakePicker extends MemberPicker {
  readonly failures: string[]
  readonly answers: { key: string; rttMs: number }[]
  readonly picks: string[]
  /** Members that are never picked. */
  readonly out: Set<string>
}

export function fakePicker(members: readonly { address: string; port: number }[]): FakePicker {
  const list: PickedMember[] = members.map((m) => ({ key: `${m.address}#${m.port}`, address: m.address, port: m.port }))
  const picker: FakePicker = {
    failures: [],
    answers: [],
    picks: [],
    out: new Set(),
    pick(client, exclude) {
      const m = list.find((x) => !exclude.has(x.key) && !picker.out.has(x.key))
      picker.picks.push(`${client}->${m?.key ?? 'none'}`)
      return m
    },
    failed(key, reason) {
      picker.failures.push(`${key} ${reason}`)
    },
    answered(key, rttMs) {
      picker.answers.push({ key, rttMs })
    },
  }
  return picker
}
