/**
 * {@link allOf} / {@link anyOf}: checks combined into one (keepalived lists several checkers per
 * `real_server`, all of which must pass: that is `allOf`). The parts run at once, on the same
 * abort signal.
 */
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** Passes when every part passes; its weight is the smallest weight a part asked for. */
export function allOf(...checks: HealthCheck[]): HealthCheck {
  return async (context) => {
    const outcomes = await runAll(checks, context)
    const failed = outcomes.filter((o) => !o.ok)
    if (checks.length === 0) return { ok: false, reason: 'allOf with no checks' }
    if (failed.length > 0) return { ok: false, reason: failed.map((o) => o.reason).join('; ') }
    return withWeight({ ok: true, reason: outcomes.map((o) => o.reason).join('; ') }, outcomes, Math.min)
  }
}

/** Passes when at least one part passes; its weight is the largest weight a passing part asked for. */
export function anyOf(...checks: HealthCheck[]): HealthCheck {
  return async (context) => {
    const outcomes = await runAll(checks, context)
    const passed = outcomes.filter((o) => o.ok)
    if (passed.length === 0) return { ok: false, reason: checks.length === 0 ? 'anyOf with no checks' : outcomes.map((o) => o.reason).join('; ') }
    return withWeight({ ok: true, reason: passed.map((o) => o.reason).join('; ') }, passed, Math.max)
  }
}

function runAll(checks: HealthCheck[], context: CheckContext): Promise<CheckOutcome[]> {
  return Promise.all(
    checks.map((check) =>
      Promise.resolve()
        .then(() => check(context))
        .catch((error: unknown): CheckOutcome => ({ ok: false, reason: error instanceof Error ? error.message : String(error) })),
    ),
  )
}

function withWeight(outcome: CheckOutcome, parts: CheckOutcome[], pick: (...values: number[]) => number): CheckOutcome {
  const weights = parts.flatMap((o) => (o.weight === undefined ? [] : [o.weight]))
  return weights.length === 0 ? outcome : { ...outcome, weight: pick(...weights) }
}
