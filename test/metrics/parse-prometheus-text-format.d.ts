// The parser ships no types; the shape prom2json gives (values as strings).
declare module 'parse-prometheus-text-format' {
  interface ParsedFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: { labels?: Record<string, string>; value?: string }[]
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[]
}
