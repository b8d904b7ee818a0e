export { createMetrics } from './metrics.js'
export type { DnsHaMetrics, MetricsOptions, Watchable } from './metrics.js'
export { serveMetrics } from './node-http.js'
export type { MetricsServer, ServeMetricsOptions } from './node-http.js'
