/**
 * A failover as a page a person can look at: queries answered and lost per bucket of time, the
 * state of each router, who held the VIP, each pool member's state, and the events with their
 * reasons, on one time axis. {@link TimelineRecorder} collects it from a running topology;
 * {@link renderTimelineHtml} draws it as one self-contained HTML file (inline SVG, no script, no
 * network), so it opens anywhere and can be attached to an incident report.
 */
import type { DnsmasqNginxKeepalived } from './dnsmasq-nginx-keepalived.js'

/** Queries sent during one bucket, by what became of them. */
export interface TimelineBucket {
  /** Start of the bucket (ms, on the recorder's clock). */
  at: number
  answered: number
  lost: number
  /** Answered, but not with the expected data. */
  wrong: number
}

/** One state held over a time span, drawn as a bar in its lane. */
export interface TimelineSpan {
  lane: string
  from: number
  to: number
  state: string
}

/** Something that happened, with the reason a person reads. */
export interface TimelineEvent {
  at: number
  lane: string
  text: string
}

/** Everything a timeline page shows. */
export interface FailoverTimeline {
  title: string
  start: number
  end: number
  bucketMs: number
  buckets: TimelineBucket[]
  spans: TimelineSpan[]
  events: TimelineEvent[]
  /** Headline figures, shown above the chart in order (e.g. "takeover (ms)": 3609). */
  summary: [string, string | number][]
}

/** Collects lanes and events from a running topology; the caller adds the query buckets. */
export class TimelineRecorder {
  private readonly open = new Map<string, { from: number; state: string }>()
  private readonly spans: TimelineSpan[] = []
  private readonly events: TimelineEvent[] = []
  private readonly started: number

  constructor(
    topology: DnsmasqNginxKeepalived,
    private readonly now: () => number,
  ) {
    this.started = now()
    const snapshot = topology.snapshot()
    for (const n of snapshot.nodes) this.enter(`VRRP ${n.name}`, n.vrrp)
    this.enter('VIP', snapshot.holder === undefined ? 'nobody' : `node ${snapshot.holder}`)
    topology.on('vrrp', ({ at, node, to, reason }) => {
      this.enter(`VRRP ${node}`, to, at)
      this.note(at, `VRRP ${node}`, `${to}: ${reason}`)
    })
    topology.on('vip', ({ at, to }) => {
      this.enter('VIP', to === undefined ? 'nobody' : `node ${to}`, at)
      this.note(at, 'VIP', to === undefined ? 'released: nobody holds it' : `held by node ${to}`)
    })
    topology.on('member', ({ at, node, member, state, reason }) => {
      this.enter(`pool ${node}: ${member}`, state, at)
      this.note(at, `pool ${node}`, `${member} ${state}: ${reason}`)
    })
    topology.on('node', ({ at, node, action }) => {
      if (action === 'killed') {
        this.enter(`VRRP ${node}`, 'dead', at)
        for (const lane of [...this.open.keys()]) if (lane.startsWith(`pool ${node}:`)) this.enter(lane, 'dead', at)
      }
      this.note(at, `node ${node}`, action === 'killed' ? 'machine killed (no priority-0 advert)' : 'machine restored')
    })
  }

  /** Adds a line of its own to the event list (the load starting, a key pressed). */
  note(at: number, lane: string, text: string): void {
    this.events.push({ at, lane, text })
  }

  /** The timeline so far, with the caller's buckets and headline figures. */
  finish(title: string, buckets: TimelineBucket[], bucketMs: number, summary: [string, string | number][]): FailoverTimeline {
    const end = this.now()
    const spans = [...this.spans, ...[...this.open].map(([lane, s]) => ({ lane, from: s.from, to: end, state: s.state }))]
    return { title, start: this.started, end, bucketMs, buckets, spans, events: [...this.events].sort((a, b) => a.at - b.at), summary }
  }

  private enter(lane: string, state: string, at = this.now()): void {
    const current = this.open.get(lane)
    if (current?.state === state) return
    if (current) this.spans.push({ lane, from: current.from, to: at, state: current.state })
    this.open.set(lane, { from: at, state })
  }
}

const COLORS: Record<string, string> = {
  master: '#2e7d32',
  backup: '#1565c0',
  fault: '#ef6c00',
  initialize: '#9e9e9e',
  dead: '#424242',
  up: '#2e7d32',
  down: '#c62828',
  nobody: '#c62828',
}

/** The timeline as one HTML page (inline SVG and CSS only). */
export function renderTimelineHtml(t: FailoverTimeline): string {
  const width = 1100
  const left = 170
  const span = Math.max(1, t.end - t.start)
  const x = (at: number): number => left + ((at - t.start) / span) * (width - left - 10)
  const lanes = [...new Set(t.spans.map((s) => s.lane))]
  const chartTop = 20
  const chartHeight = 120
  const peak = Math.max(1, ...t.buckets.map((b) => b.answered + b.lost + b.wrong))
  const barWidth = Math.max(1, ((width - left - 10) * t.bucketMs) / span - 0.5)
  const bars = t.buckets
    .map((b) => {
      const h = (n: number): number => (n / peak) * chartHeight
      const base = chartTop + chartHeight
      const parts = [
        [b.answered, '#2e7d32', 'answered'],
        [b.lost, '#c62828', 'lost'],
        [b.wrong, '#6a1b9a', 'wrong'],
      ] as const
      let y = base
      return parts
        .filter(([n]) => n > 0)
        .map(([n, color, what]) => {
          y -= h(n)
          return `<rect x="${x(b.at).toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h(n).toFixed(1)}" fill="${color}"><title>+${ms(b.at - t.start)}: ${n} ${what}</title></rect>`
        })
        .join('')
    })
    .join('\n')
  const laneTop = chartTop + chartHeight + 30
  const laneRows = lanes
    .map((lane, i) => {
      const y = laneTop + i * 26
      const rects = t.spans
        .filter((s) => s.lane === lane)
        .map((s) => {
          const color = COLORS[s.state] ?? (s.state.startsWith('node') ? '#2e7d32' : '#757575')
          const w = Math.max(1, x(s.to) - x(s.from))
          return `<rect x="${x(s.from).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${color}"><title>${esc(lane)}: ${esc(s.state)} from +${ms(s.from - t.start)} to +${ms(s.to - t.start)}</title></rect>${w > 60 ? `<text x="${(x(s.from) + 4).toFixed(1)}" y="${y + 13}" class="in">${esc(s.state)}</text>` : ''}`
        })
        .join('')
      return `<text x="4" y="${y + 13}" class="lane">${esc(lane)}</text>${rects}`
    })
    .join('\n')
  const height = laneTop + lanes.length * 26 + 30
  const ticks = Array.from({ length: Math.floor(span / 1000) + 1 }, (_, s) => s * 1000)
    .filter((_, i, all) => all.length <= 30 || i % Math.ceil(all.length / 30) === 0)
    .map((off) => `<line x1="${x(t.start + off).toFixed(1)}" y1="${chartTop}" x2="${x(t.start + off).toFixed(1)}" y2="${height - 20}" class="grid"/><text x="${x(t.start + off).toFixed(1)}" y="${height - 6}" class="tick">${off / 1000}s</text>`)
    .join('')
  const summary = t.summary.map(([k, v]) => `<div class="fig"><span class="v" data-figure="${esc(k)}">${esc(String(v))}</span><span class="k">${esc(k)}</span></div>`).join('')
  const rows = t.events.map((e) => `<tr><td>+${ms(e.at - t.start)}</td><td>${esc(e.lane)}</td><td>${esc(e.text)}</td></tr>`).join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(t.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#212121}
h1{font-size:20px}.figs{display:flex;gap:24px;flex-wrap:wrap;margin:12px 0}
.fig{display:flex;flex-direction:column}.fig .v{font-size:22px;font-weight:600}.fig .k{color:#616161}
svg text{font-size:12px}.lane{fill:#212121}.in{fill:#fff}.tick{fill:#616161;text-anchor:middle}.grid{stroke:#e0e0e0}
table{border-collapse:collapse;margin-top:16px}td{padding:2px 10px;border-bottom:1px solid #eee;vertical-align:top}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
</style></head><body>
<h1>${esc(t.title)}</h1>
<div class="figs">${summary}</div>
<div class="legend">queries per ${t.bucketMs} ms:<span style="background:#2e7d32"></span>answered<span style="background:#c62828"></span>lost<span style="background:#6a1b9a"></span>wrong</div>
<svg id="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="failover timeline">
${ticks}
${bars}
${laneRows}
</svg>
<table id="events"><thead><tr><th>time</th><th>where</th><th>what</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`
}

function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}s` : `${Math.round(n)}ms`
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}
