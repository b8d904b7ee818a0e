// Every family of every kind: a Prometheus-valid name with the dnsha_ prefix, counters ending in
// _total and gauges not, unique names with one definition, and a row in docs/metrics.md that
// gives its type and labels as the code has them.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { authorityKind, transferPrimaryKind } from '../../src/metrics/authority-families.js'
import type { FamilySpec } from '../../src/metrics/family.js'
import { forwarderKind } from '../../src/metrics/forwarder-families.js'
import { healthKind } from '../../src/metrics/health-families.js'
import { proxyPoolKind } from '../../src/metrics/proxy-families.js'
import { recordsKind } from '../../src/metrics/records-families.js'
import { secondaryKind } from '../../src/metrics/secondary-families.js'
import { serverKind } from '../../src/metrics/server-families.js'
import { vrrpKind } from '../../src/metrics/vrrp-families.js'
import { FakeClock } from '../../src/testing/fake-clock.js'

const kinds = [serverKind, authorityKind, transferPrimaryKind, forwarderKind, proxyPoolKind, healthKind, vrrpKind, secondaryKind(new FakeClock()), recordsKind]
const families = kinds.flatMap((k) => k.families as readonly FamilySpec<unknown>[])
const docs = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8')

describe('metric families', () => {
  it('are named by the Prometheus rules: dnsha_ prefix, snake case, counters end in _total, gauges do not', () => {
    expect(families.length).toBeGreaterThan(90)
    for (const f of families) {
      expect(f.name, f.name).toMatch(/^dnsha_[a-z][a-z0-9_]*[a-z0-9]$/)
      if (f.type === 'counter') expect(f.name, f.name).toMatch(/_total$/)
      else expect(f.name, f.name).not.toMatch(/_total$/)
      for (const l of f.labels) expect(l, `${f.name} label ${l}`).toMatch(/^[a-z][a-z_]*$/)
      expect(f.help.length, f.name).toBeGreaterThan(10)
    }
  })

  it('have one definition per name, whichever kinds share it (members, caches, transfers)', () => {
    const byName = new Map<string, FamilySpec<unknown>>()
    for (const f of families) {
      const seen = byName.get(f.name)
      if (seen) expect({ type: f.type, help: f.help, labels: f.labels }, f.name).toEqual({ type: seen.type, help: seen.help, labels: seen.labels })
      else byName.set(f.name, f)
    }
    expect(byName.size).toBe(100)
  })

  it('each has a row in docs/metrics.md with its type and labels', () => {
    for (const f of families) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${f.name}\` |`))
      expect(row, f.name).toBeDefined()
      expect(row, f.name).toContain(`| ${f.type} | ${f.labels.map((l) => `\`${l}\``).join(', ')} |`)
    }
  })
})
