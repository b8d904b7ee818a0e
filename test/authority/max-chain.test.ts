// `maxChain`: how many CNAMEs one answer follows before the chain counts as a loop (default 16).
// A chain within the limit ends in the target's data; one link more and the answer is the chain
// alone, as NSD answers a loop. Raising the option makes a longer chain resolve.
import { describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/index.js'
import { parseZone } from '../../src/zone/index.js'
import { ask, lines, rrs } from './helpers.js'

const O = 'chain.test.'
const LINKS = 24
// c1 -> c2 -> ... -> c24 -> end (A 192.0.2.1): asking for cK follows LINKS - K + 1 CNAMEs.
const ZONE = [
  '$TTL 300',
  '@ IN SOA ns1 hostmaster 1 3600 900 604800 300',
  '@ IN NS ns1',
  'ns1 IN A 192.0.2.53',
  ...Array.from({ length: LINKS }, (_, i) => `c${i + 1} IN CNAME ${i + 1 === LINKS ? 'end' : `c${i + 2}`}`),
  'end IN A 192.0.2.1',
].join('\n')

const authority = (maxChain?: number) => new Authority({ zones: [parseZone(ZONE, { origin: O })], ...(maxChain === undefined ? {} : { maxChain }) })
/** The name whose answer follows exactly `n` CNAMEs. */
const nameFollowing = (n: number) => `c${LINKS - n + 1}.${O}`

async function outcome(auth: Authority, n: number): Promise<{ cnames: number; data: string[]; rcode: string | undefined }> {
  const r = await ask(auth, nameFollowing(n), 'A')
  const answers = r.answers ?? []
  return {
    cnames: answers.filter((a) => a.type === 'CNAME').length,
    data: answers.filter((a) => a.type === 'A').map((a) => String((a as { data: unknown }).data)),
    rcode: r.rcode,
  }
}

describe('Authority maxChain', () => {
  it('default 16: a 16-CNAME chain ends in the A record, a 17-CNAME chain is the chain alone', async () => {
    const auth = authority()
    expect(await outcome(auth, 16)).toEqual({ cnames: 16, data: ['192.0.2.1'], rcode: 'NOERROR' })
    expect(await outcome(auth, 17)).toEqual({ cnames: 17, data: [], rcode: 'NOERROR' })
  })

  it('maxChain 20 (above the default): chains of 17 to 20 CNAMEs now resolve, 21 does not', async () => {
    const auth = authority(20)
    for (const n of [17, 20]) expect(await outcome(auth, n)).toEqual({ cnames: n, data: ['192.0.2.1'], rcode: 'NOERROR' })
    expect(await outcome(auth, 21)).toEqual({ cnames: 21, data: [], rcode: 'NOERROR' })
  })

  it('maxChain 2: the limit is exact at small values too, and the answer lists each link', async () => {
    const auth = authority(2)
    const two = await ask(auth, nameFollowing(2), 'A')
    expect(lines(two.answers)).toEqual(rrs(O, 'c23 300 IN CNAME c24', 'c24 300 IN CNAME end', 'end 300 IN A 192.0.2.1'))
    expect(await outcome(auth, 3)).toEqual({ cnames: 3, data: [], rcode: 'NOERROR' })
  })
})
