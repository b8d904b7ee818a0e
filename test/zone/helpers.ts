import { ZoneSyntaxError, formatRecord, parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/index.js'

/** The records of a zone as absolute master-file lines, in canonical order. */
export function lines(zone: Zone): string[] {
  return [...zone.eachRecord()].map(formatRecord)
}

/** Expected records written as zone text (absolute names), normalised through the formatter. */
export function rr(text: string, origin = 'example.'): string[] {
  return lines(parseZone(text, { origin }))
}

/** The ZoneSyntaxError `fn` throws (any other error is rethrown; none fails the test). */
export function errorOf(fn: () => unknown): ZoneSyntaxError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ZoneSyntaxError) return e
    throw e
  }
  throw new Error('expected a ZoneSyntaxError')
}
