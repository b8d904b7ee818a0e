// Scraping helpers: the metrics text parsed by a Prometheus text-format parser (not by us), and
// exact lookups of one sample or a family's samples.
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import type { DnsHaMetrics } from '../../src/metrics/index.js'

export interface Family {
  type: string
  help: string
  samples: { labels: Record<string, string>; value: number }[]
}

/** Parses exposition text into families by name (throws on text the parser rejects). */
export function parse(text: string): Map<string, Family> {
  const out = new Map<string, Family>()
  for (const f of parsePrometheusTextFormat(text)) {
    out.set(f.name, { type: f.type.toLowerCase(), help: f.help, samples: f.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })) })
  }
  return out
}

/** A scrape: the families, and lookups that fail loudly. */
export interface Scrape {
  families: Map<string, Family>
  /** The value of the one sample of `name` whose labels are exactly `labels` (throws if none). */
  value(name: string, labels: Record<string, string>): number
  /** Every sample of `name` as `label=value,...` → value, for whole-family comparisons. */
  samples(name: string): Record<string, number>
  type(name: string): string | undefined
}

export async function scrape(metrics: DnsHaMetrics): Promise<Scrape> {
  return scrapeText(await metrics.text())
}

export function scrapeText(text: string): Scrape {
  const families = parse(text)
  const key = (labels: Record<string, string>) =>
    Object.entries(labels)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
  return {
    families,
    value(name, labels) {
      const family = families.get(name)
      if (family === undefined) throw new Error(`no family ${name}`)
      const hit = family.samples.filter((s) => key(s.labels) === key(labels))
      if (hit.length !== 1) throw new Error(`${name}{${key(labels)}}: ${hit.length} samples; have ${family.samples.map((s) => `{${key(s.labels)}}`).join(' ')}`)
      return hit[0]!.value
    },
    samples(name) {
      return Object.fromEntries((families.get(name)?.samples ?? []).map((s) => [key(s.labels), s.value]))
    },
    type: (name) => families.get(name)?.type,
  }
}
