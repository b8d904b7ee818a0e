/**
 * The admin API's routes (hono). Loaded by {@link serveAdmin} on demand; every answer is JSON
 * (the export is master-file text, the page HTML), every error `{ error: { code, message } }`.
 */
import { Hono } from 'hono'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { TransferPrimary } from '../transfer/transfer-primary.js'
import type { Clock } from '../util/clock.js'
import { isDnsHaError } from '../util/errors.js'
import { checkZone } from '../zone/check.js'
import { formatZone } from '../zone/format.js'
import { parseZone } from '../zone/parse.js'
import type { ZoneRecord } from '../zone/zone.js'
import type { RequestStream } from './admin-body.js'
import { readRequestBody } from './admin-body.js'
import { ADMIN_PAGE_HTML, ADMIN_PAGE_SCRIPT } from './admin-page.js'
import { apiRecord, isRecordInputError, MAX_PAGE, pageRecords, toZoneRecord } from './admin-records.js'
import { ReplicationTracker } from './admin-replication.js'
import type { AdminMetrics, AdminRecordChange, AdminStore, AdminToken, AdminUpdateResult } from './admin-store.js'

/** What the app needs: the options of serveAdmin, checked. */
export interface AdminAppOptions {
  store: AdminStore
  tokens: AdminToken[]
  maxBodyBytes: number
  transfer: Pick<TransferPrimary, 'on' | 'off'> | undefined
  clock: Clock
  metrics: AdminMetrics | undefined
}

/** An API error: the HTTP status, a stable code, a message, optional details. */
class ApiError extends Error {
  constructor(readonly status: ContentfulStatusCode, readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message)
  }
}

/** `incoming`: Node's request, which @hono/node-server passes as the environment (absent under `app.request()`). */
type Env = { Bindings: { incoming?: RequestStream }; Variables: { token: AdminToken; body: Buffer } }

/** The counters `GET /api/counters` reports besides the store's own. */
interface HttpCounters {
  requests: number
  byStatus: Record<string, number>
  unauthorized: number
  forbidden: number
}

/** Builds the hono app; `close()` detaches it from the Authority's events. */
export function createAdminApp(options: AdminAppOptions): Hono<Env> & { close(): void } {
  const { store, tokens, maxBodyBytes } = options
  const replication = options.transfer === undefined ? undefined : new ReplicationTracker(options.transfer, options.clock)
  const counters: HttpCounters = { requests: 0, byStatus: {}, unauthorized: 0, forbidden: 0 }
  const app = new Hono<Env>()

  app.use('*', async (c, next) => {
    counters.requests++
    // Set before the response exists, so every answer (errors too) is built with them: set after,
    // hono rebuilds the response as a full Web Response to change its headers.
    c.header('Cache-Control', 'no-store')
    c.header('X-Content-Type-Options', 'nosniff')
    await next()
    const key = String(c.res.status)
    counters.byStatus[key] = (counters.byStatus[key] ?? 0) + 1
  })

  // The page and its script: public (they hold no data); the token is typed into the page.
  app.get('/', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    c.header('X-Frame-Options', 'DENY')
    return c.html(ADMIN_PAGE_HTML)
  })
  app.get('/admin.js', (c) => c.body(ADMIN_PAGE_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))

  // Authentication, then the write check, then the body checks: a client without a token
  // learns nothing, not even that its body was too large.
  const requireToken = async (c: Context<Env>, next: () => Promise<void>): Promise<void> => {
    const token = authenticate(c.req.header('authorization'), tokens)
    if (token === undefined) {
      counters.unauthorized++
      c.header('WWW-Authenticate', 'Bearer realm="dns-ha"')
      throw new ApiError(401, 'ERR_RECORDS_UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <token>)')
    }
    const write = c.req.method !== 'GET' && c.req.method !== 'HEAD'
    if (write && token.access !== 'write') {
      counters.forbidden++
      throw new ApiError(403, 'ERR_RECORDS_FORBIDDEN', `token '${token.name}' is read-only`)
    }
    c.set('token', token)
    await next()
  }
  app.use('/api/*', requireToken)
  // Prometheus metrics (`createMetrics` from dns-ha/metrics), behind the same tokens: a scrape
  // job sends one as `authorization: { credentials: ... }`.
  const metrics = options.metrics
  if (metrics !== undefined) {
    app.use('/metrics', requireToken)
    app.get('/metrics', async (c) => c.body(await metrics.text(), 200, { 'Content-Type': metrics.contentType }))
  }
  // The body of every edit, read once here within the limit (see admin-body.ts).
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const incoming = c.env?.incoming
    let body: Buffer
    if (incoming !== undefined) {
      const read = await readRequestBody(incoming, maxBodyBytes)
      if (read.kind === 'too-large') throw tooLarge(maxBodyBytes)
      if (read.kind === 'incomplete') throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', `the body could not be read: ${read.reason}`)
      body = read.body
    } else {
      // Without Node's request (the app called directly): the declared size first, then the body.
      if (Number(c.req.header('content-length') ?? 0) > maxBodyBytes) throw tooLarge(maxBodyBytes)
      body = Buffer.from(await c.req.arrayBuffer())
      if (body.length > maxBodyBytes) throw tooLarge(maxBodyBytes)
    }
    c.set('body', body)
    return next()
  })

  app.get('/api/health', (c) => c.json({ status: 'ok', zones: store.origins().length }))

  app.get('/api/counters', (c) => c.json({ http: counters, store: store.snapshot() }))

  app.get('/api/zones', (c) => {
    const snap = store.snapshot()
    return c.json({ zones: snap.zones.map((z) => ({ origin: z.origin, serial: z.serial, records: z.records })) })
  })

  app.get('/api/zones/:origin', (c) => {
    const origin = findOrigin(store, c.req.param('origin'))
    const zone = store.zone(origin)
    const snap = store.snapshot().zones.find((z) => z.origin === origin)
    let names = 0
    let rrsets = 0
    for (const node of zone.nodes()) {
      if (node.rrsets.size === 0) continue
      names++
      rrsets += node.rrsets.size
    }
    return c.json({
      origin,
      serial: store.serial(origin),
      records: zone.size,
      rrsets,
      names,
      journalEntries: snap?.journalEntries ?? 0,
      replication: replication?.zone(origin).secondaries ?? [],
    })
  })

  app.get('/api/zones/:origin/records', (c) => {
    const origin = findOrigin(store, c.req.param('origin'))
    const limitText = c.req.query('limit')
    const limit = limitText === undefined ? 100 : Number(limitText)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', `limit must be an integer from 1 to ${MAX_PAGE}`)
    const zone = store.zone(origin)
    const serial = store.serial(origin)
    try {
      const page = pageRecords(zone, { name: c.req.query('name'), type: c.req.query('type'), search: c.req.query('search'), cursor: c.req.query('cursor'), limit })
      return c.json({ origin, serial, ...page })
    } catch (e) {
      if (isDnsHaError(e, 'ERR_RECORDS_BAD_REQUEST')) throw new ApiError(400, e.code, e.message)
      throw e
    }
  })

  app.post('/api/zones/:origin/records', async (c) => {
    const origin = findOrigin(store, c.req.param('origin'))
    const body = await jsonBody(c)
    const inputs = body['records'] !== undefined ? body['records'] : body['record'] !== undefined ? [body['record']] : undefined
    if (!Array.isArray(inputs) || inputs.length === 0) throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', 'body must hold "record" or a non-empty "records" array')
    const changes: AdminRecordChange[] = inputs.map((r, i) => ({ op: 'add', record: readRecord(store, origin, r, inputs.length > 1 ? i : undefined) }))
    const result = await update(store, origin, changes, ifSerial(body), c.get('token'))
    return c.json(result, 201)
  })

  app.put('/api/zones/:origin/records', async (c) => {
    const origin = findOrigin(store, c.req.param('origin'))
    const body = await jsonBody(c)
    if (body['old'] === undefined || body['new'] === undefined) throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', 'body must hold "old" and "new" records')
    const old = readRecord(store, origin, body['old'], undefined, 'old')
    const replacement = readRecord(store, origin, body['new'], undefined, 'new')
    requirePresent(store, origin, old)
    const result = await update(store, origin, [{ op: 'delete', record: old }, { op: 'add', record: replacement }], ifSerial(body), c.get('token'))
    return c.json(result)
  })

  app.delete('/api/zones/:origin/records', async (c) => {
    const origin = findOrigin(store, c.req.param('origin'))
    const body = await jsonBody(c)
    let change: AdminRecordChange
    if (body['record'] !== undefined) {
      const record = readRecord(store, origin, body['record'])
      requirePresent(store, origin, record)
      change = { op: 'delete', record }
    } else if (typeof body['name'] === 'string' && typeof body['type'] === 'string') {
      // An RRset: read through the parser with empty rdata would fail, so name and type only.
      const probe = readRecord(store, origin, { name: body['name'], type: 'TXT', ttl: 0, data: '""' })
      const type = body['type'].toUpperCase()
      if (store.zone(origin).rrset(probe.name, type) === undefined) throw new ApiError(404, 'ERR_RECORDS_NOT_FOUND', `no ${type} records at ${probe.name}`)
      change = { op: 'delete-rrset', name: probe.name, type }
    } else {
      throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', 'body must hold "record" (one record) or "name" and "type" (an RRset)')
    }
    const result = await update(store, origin, [change], ifSerial(body), c.get('token'))
    return c.json(result)
  })

  app.get('/api/zones/:origin/export', (c) => {
    const origin = findOrigin(store, c.req.param('origin'))
    const text = formatZone(store.zone(origin))
    return c.body(text, 200, { 'Content-Type': 'text/dns; charset=utf-8', 'Content-Disposition': `attachment; filename="${origin.replace(/[^A-Za-z0-9.-]/g, '_')}zone"` })
  })

  app.put('/api/zones/:origin/import', async (c) => {
    const origin = findOrigin(store, c.req.param('origin'))
    const type = mediaType(c.req.header('content-type'))
    if (type !== 'text/plain' && type !== 'text/dns') throw new ApiError(415, 'ERR_RECORDS_MEDIA_TYPE', 'an import is master-file text: Content-Type text/plain or text/dns')
    const text = c.get('body').toString('utf8')
    const serialText = c.req.query('ifSerial')
    const expected = serialText === undefined ? undefined : Number(serialText)
    if (expected !== undefined && (!Number.isInteger(expected) || expected < 0 || expected > 0xffffffff)) throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', 'ifSerial must be a serial number')
    const current = store.zone(origin)
    let zone
    try {
      zone = parseZone(text, { origin, fileName: 'import', class: current.class, include: 'deny', collectErrors: true })
    } catch (e) {
      if (isRecordInputError(e)) throw zoneTextError(e)
      throw e
    }
    if (zone.errors.length > 0) {
      throw new ApiError(422, 'ERR_ZONE_SYNTAX', zone.errors[0]!.message, { errors: zone.errors.map((e) => ({ line: e.line, column: e.column, message: e.message })) })
    }
    const check = checkZone(zone)
    if (!check.ok) {
      const errors = check.findings.filter((f) => f.severity === 'error')
      throw new ApiError(422, 'ERR_ZONE_CHECK', `${errors[0]!.file}:${errors[0]!.line}:${errors[0]!.column}: ${errors[0]!.message}`, {
        errors: errors.map((f) => ({ line: f.line, column: f.column, message: f.message, code: f.code })),
      })
    }
    const result = await storeCall(() => store.replaceZone(origin, zone, { ...(expected === undefined ? {} : { ifSerial: expected }), source: `api:${c.get('token').name}` }))
    return c.json({ origin: result.origin, previousSerial: result.previousSerial, serial: result.serial, changes: result.changes.length })
  })

  app.notFound(() => {
    throw new ApiError(404, 'ERR_RECORDS_NOT_FOUND', 'no such route')
  })

  app.onError((err, c) => {
    const e = err instanceof ApiError ? err : fromStoreError(err)
    return c.json({ error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } }, e.status)
  })

  return Object.assign(app, { close: () => replication?.close() })
}

// ---- helpers -------------------------------------------------------------------------------

/**
 * The token in an `Authorization: Bearer` header. Compared in time independent of where the
 * strings differ, so the answer time does not tell an attacker how much of a guess was right.
 */
function authenticate(header: string | undefined, tokens: AdminToken[]): AdminToken | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (m === null) return undefined
  const given = m[1]!
  let found: AdminToken | undefined
  for (const t of tokens) if (sameSecret(given, t.token)) found = t
  return found
}

function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i % Math.max(a.length, 1)) || 0) ^ b.charCodeAt(i)
  return diff === 0
}

/** The origin in the store named by a URL segment (case-insensitive, trailing dot optional). */
function findOrigin(store: AdminStore, segment: string): string {
  const wanted = (segment.endsWith('.') ? segment : `${segment}.`).toLowerCase()
  const origin = store.origins().find((o) => o.toLowerCase() === wanted)
  if (origin === undefined) throw new ApiError(404, 'ERR_RECORDS_UNKNOWN_ZONE', `no zone ${segment} in the store`)
  return origin
}

function tooLarge(maxBodyBytes: number): ApiError {
  return new ApiError(413, 'ERR_RECORDS_TOO_LARGE', `request body larger than ${maxBodyBytes} bytes`)
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase()
}

async function jsonBody(c: Context<Env>): Promise<Record<string, unknown>> {
  if (mediaType(c.req.header('content-type')) !== 'application/json') throw new ApiError(415, 'ERR_RECORDS_MEDIA_TYPE', 'the body must be JSON: Content-Type application/json')
  let body: unknown
  try {
    body = JSON.parse(c.get('body').toString('utf8'))
  } catch (e) {
    if (e instanceof ApiError) throw e
    throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', `the body is not JSON: ${(e as Error).message}`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', 'the body must be a JSON object')
  return body as Record<string, unknown>
}

function ifSerial(body: Record<string, unknown>): number | undefined {
  const v = body['ifSerial']
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ApiError(400, 'ERR_RECORDS_BAD_REQUEST', 'ifSerial must be a serial number (0 to 4294967295)')
  return v
}

function readRecord(store: AdminStore, origin: string, input: unknown, index?: number, field?: string): ZoneRecord {
  const zone = store.zone(origin)
  try {
    return toZoneRecord(input, zone, zone.soa?.ttl ?? 3600)
  } catch (e) {
    if (!isRecordInputError(e)) throw e
    const where = field ?? (index === undefined ? undefined : `records[${index}]`)
    const err = zoneTextError(e)
    throw new ApiError(422, err.code, where === undefined ? err.message : `${where}: ${err.message}`, { ...err.details, ...(where === undefined ? {} : { field: where }) })
  }
}

/** A zone parser error as a 422 (its message without the synthetic file name of one record). */
function zoneTextError(e: unknown): ApiError {
  const err = e as { code: string; message: string; reason?: string; line?: number; column?: number }
  const message = err.reason !== undefined && err.line !== undefined ? `line ${err.line}, column ${err.column}: ${err.reason}` : err.message
  return new ApiError(422, err.code, message, err.line === undefined ? undefined : { line: err.line, column: err.column })
}

function requirePresent(store: AdminStore, origin: string, record: ZoneRecord): void {
  const set = store.zone(origin).rrset(record.name, record.type)
  const shown = apiRecord(record).data
  if (set === undefined || !set.records.some((r) => apiRecord(r).data === shown)) {
    throw new ApiError(404, 'ERR_RECORDS_NOT_FOUND', `no such record: ${record.name} ${record.type} ${shown}`)
  }
}

async function update(store: AdminStore, origin: string, changes: AdminRecordChange[], expected: number | undefined, token: AdminToken): Promise<{ origin: string; previousSerial: number; serial: number; changes: { op: string; record?: ReturnType<typeof apiRecord>; name?: string; type?: string }[] }> {
  const result = await storeCall(() => store.update(origin, changes, { ...(expected === undefined ? {} : { ifSerial: expected }), source: `api:${token.name}` }))
  return {
    origin: result.origin,
    previousSerial: result.previousSerial,
    serial: result.serial,
    changes: result.changes.map((ch) => ('record' in ch ? { op: ch.op, record: apiRecord(ch.record) } : { ...ch })),
  }
}

async function storeCall(fn: () => Promise<AdminUpdateResult>): Promise<AdminUpdateResult> {
  try {
    return await fn()
  } catch (e) {
    throw fromStoreError(e)
  }
}

/** A store error as the API answers it; anything else (an I/O failure) is a 500. */
function fromStoreError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  if (isDnsHaError(e)) {
    const details = e.details
    switch (e.code) {
      case 'ERR_RECORDS_CONFLICT':
        return new ApiError(409, e.code, e.message, { serial: details?.['serial'] })
      case 'ERR_RECORDS_PREREQ':
        return new ApiError(412, e.code, e.message, { rcode: details?.['rcode'] })
      case 'ERR_RECORDS_INVALID':
      case 'ERR_RECORDS_NOTZONE':
      case 'ERR_ZONE_CHECK':
      case 'ERR_ZONE_LIMIT':
        return new ApiError(422, e.code, e.message)
      case 'ERR_RECORDS_UNKNOWN_ZONE':
        return new ApiError(404, e.code, e.message)
    }
  }
  // An I/O failure of the store (disk full): the edit was not acknowledged.
  return new ApiError(500, 'ERR_RECORDS_INTERNAL', `the change was not applied: ${(e as Error)?.message ?? String(e)}`)
}
