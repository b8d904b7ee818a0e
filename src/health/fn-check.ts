/**
 * {@link fnCheck}: your own function as a check (dnsdist's Lua health checks, keepalived's
 * `MISC_CHECK` without a process).
 */
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** What a function check may return: a bare verdict, or one with a reason and a weight. */
export type FnCheckResult = boolean | { ok: boolean; reason?: string; weight?: number }

/** A check that calls `fn` with the run's abort signal; throwing is a failure with the error as the reason. */
export function fnCheck(fn: (signal: AbortSignal) => FnCheckResult | Promise<FnCheckResult>): HealthCheck {
  return async (context: CheckContext): Promise<CheckOutcome> => {
    const result = await fn(context.signal)
    if (typeof result === 'boolean') return { ok: result, reason: result ? 'the function said up' : 'the function said down' }
    if (!result || typeof result.ok !== 'boolean') return { ok: false, reason: 'the function returned neither a boolean nor { ok }' }
    const reason = result.reason ?? (result.ok ? 'the function said up' : 'the function said down')
    return result.weight === undefined ? { ok: result.ok, reason } : { ok: result.ok, reason, weight: result.weight }
  }
}
