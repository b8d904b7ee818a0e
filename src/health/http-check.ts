/**
 * {@link httpCheck}: an HTTP request through the global `fetch` (keepalived `HTTP_GET` /
 * `SSL_GET`, dnsdist's DoH health checks seen from outside). Aborted with the run.
 */
import type { CheckContext, CheckOutcome, HealthCheck } from './types.js'

/** Options of {@link httpCheck}. */
export interface HttpCheckOptions {
  url: string
  /** Default `'GET'`. */
  method?: string
  headers?: Record<string, string>
  /** The status that passes: one, a list, or a test (default: 200-299). */
  status?: number | number[] | ((status: number) => boolean)
  /** The body must match (a regex, or a substring); the body is read only when this is set. keepalived's `digest` is a regex here. */
  body?: RegExp | string
}

/** A check that fetches `url` and passes on the expected status (and body). */
export function httpCheck(options: HttpCheckOptions): HealthCheck {
  const method = options.method ?? 'GET'
  return async (context: CheckContext): Promise<CheckOutcome> => {
    const response = await fetch(options.url, { method, ...(options.headers ? { headers: options.headers } : {}), signal: context.signal, redirect: 'manual' })
    const what = `${method} ${options.url}`
    if (!statusPasses(options.status, response.status)) {
      await response.body?.cancel().catch(() => {})
      return { ok: false, reason: `${what}: status ${response.status}` }
    }
    if (options.body !== undefined) {
      const text = await response.text()
      const found = typeof options.body === 'string' ? text.includes(options.body) : ((options.body.lastIndex = 0), options.body.test(text))
      if (!found) return { ok: false, reason: `${what}: status ${response.status}, body does not match ${String(options.body)}` }
    } else {
      await response.body?.cancel().catch(() => {})
    }
    return { ok: true, reason: `${what}: status ${response.status}` }
  }
}

function statusPasses(expect: HttpCheckOptions['status'], status: number): boolean {
  if (expect === undefined) return status >= 200 && status <= 299
  if (typeof expect === 'number') return status === expect
  if (Array.isArray(expect)) return expect.includes(status)
  return expect(status)
}
