/**
 * Fitting an answer into the client's UDP size, as NSD does: keep the longest run of additional
 * RRsets that fits (glue first) without TC (RFC 2181 §9), except that in-domain glue left out of
 * a referral sets TC=1 when asked to (RFC 9471 §3, as Knot does); then drop the authority section
 * of a positive authoritative answer (the apex NS). What still does not fit, the server truncates.
 */
import type { Answer } from 'dns-packet'
import { FLAG, RCODE } from '../packet/constants.js'
import type { EncodedMessage, MessageInit } from '../packet/encode-message.js'
import { encodeMessage } from '../packet/encode-message.js'
import type { AnswerSections } from './build-answer.js'

/**
 * Encodes `init` (built from `sections`) to fit in `limit` bytes where it can. `init` is updated
 * to what was kept. `glueTc`: set TC when in-domain glue had to be left out.
 */
export function fitAnswer(init: MessageInit, sections: AnswerSections, limit: number, glueTc: boolean): EncodedMessage {
  let encoded = encodeMessage(init)
  if (encoded.bytes.length > limit && sections.additionals.length > 0) {
    encoded = fitAdditionals(init, sections.additionals, limit)
    if (glueTc && init.additionals.length < sections.glue) {
      init.flags |= FLAG.TC
      encoded.bytes[2]! |= FLAG.TC >> 8
    }
  }
  if (encoded.bytes.length > limit && sections.rcode === RCODE.NOERROR && sections.answers.length > 0 && sections.aa && sections.authorities.length > 0) {
    init.authorities = []
    init.additionals = []
    encoded = encodeMessage(init)
  }
  return encoded
}

/** The message with the longest prefix of additional RRsets that fits in `limit` bytes (binary search over RRset boundaries). */
function fitAdditionals(init: MessageInit, additionals: readonly Answer[], limit: number): EncodedMessage {
  const cuts = [0]
  for (let i = 1; i <= additionals.length; i++) {
    const prev = additionals[i - 1]!
    const next = additionals[i]
    if (!next || next.name.toLowerCase() !== prev.name.toLowerCase() || next.type !== prev.type) cuts.push(i)
  }
  let lo = 0
  let hi = cuts.length - 1
  let best = encodeMessage({ ...init, additionals: [] })
  if (best.bytes.length > limit) {
    init.additionals = []
    return best
  }
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    const attempt = encodeMessage({ ...init, additionals: additionals.slice(0, cuts[mid]) })
    if (attempt.bytes.length <= limit) {
      lo = mid
      best = attempt
    } else hi = mid - 1
  }
  init.additionals = additionals.slice(0, cuts[lo])
  return best
}
