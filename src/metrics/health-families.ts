/** The {@link HealthProber}'s families (labels `prober`, `target`): each target's verdict, runs, streaks and last check latency. */
import { HealthProber } from '../health/prober.js'
import type { HealthProberSnapshot, HealthTargetSnapshot } from '../health/types.js'
import type { ComponentKind, Sample } from './family.js'
import { counter, gauge, seconds } from './family.js'

const each = (pick: (t: HealthTargetSnapshot) => number | undefined) => (s: HealthProberSnapshot, prober: string): Sample[] =>
  s.targets.flatMap((t) => {
    const value = pick(t)
    return value === undefined ? [] : [[{ prober, target: t.name }, value] as const]
  })
const labels = ['prober', 'target']

/** `HealthProber` as a watched kind. */
export const healthKind: ComponentKind<HealthProber, HealthProberSnapshot> = {
  kind: 'prober',
  matches: (c): c is HealthProber => c instanceof HealthProber,
  snapshot: (c) => c.snapshot(),
  families: [
    gauge('dnsha_health_target_up', '1 while the target is up, 0 while down (the override if one is set); absent before its first verdict.', labels, each((t) => (t.state === undefined ? undefined : t.state === 'up' ? 1 : 0))),
    counter('dnsha_health_checks_total', 'Check runs completed for the target.', labels, each((t) => t.runs)),
    gauge('dnsha_health_consecutive_successes', 'Passing runs in a row.', labels, each((t) => t.successes)),
    gauge('dnsha_health_consecutive_failures', 'Failing runs in a row.', labels, each((t) => t.failures)),
    gauge('dnsha_health_last_check_duration_seconds', 'How long the last run took.', labels, each((t) => (t.last === undefined ? undefined : seconds(t.last.latencyMs)))),
    gauge('dnsha_health_weight', 'The target\'s weight as the checks set it.', labels, each((t) => t.weight)),
  ],
}
