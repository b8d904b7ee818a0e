/** Shared by the admin API and page tests: a zone, a store, a listener, and a small HTTP client. */
import { serveAdmin } from '../../src/records/index.js'
import type { AdminOptions, AdminServer, AdminStore } from '../../src/records/index.js'
import { parseZone } from '../../src/zone/index.js'
import type { Zone } from '../../src/zone/index.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ZoneStore } from '../../src/records/index.js'

export const WRITE = 'write-token-0123456789abcdef'
export const READ = 'read-token-0123456789abcdef0'

export const ZONE_TEXT = `$TTL 3600
@       IN SOA ns1 hostmaster 100 7200 900 1209600 300
@       IN NS  ns1
ns1     IN A   192.0.2.1
www     IN A   192.0.2.10
www     IN A   192.0.2.11
mail    IN A   192.0.2.20
@       IN MX  10 mail
alias   IN CNAME www
`

export function exampleZone(text = ZONE_TEXT, origin = 'example.com.'): Zone {
  return parseZone(text, { origin })
}

const opened: { store: ZoneStore; dir: string }[] = []

/**
 * A journaled ZoneStore in a fresh temp dir. fsync off: these tests are about the API, not the
 * disk (the store's own tests cover durability), and 1,000 fsyncs would only slow them down.
 */
export async function openStore(zones: Zone[], options: { fsync?: boolean } = {}): Promise<ZoneStore> {
  const dir = mkdtempSync(join(tmpdir(), 'dns-ha-admin-'))
  const store = await ZoneStore.open({ dir, zones, fsync: options.fsync ?? false })
  opened.push({ store, dir })
  return store
}

/** Closes every store {@link openStore} opened and removes its directory. */
export async function closeStores(): Promise<void> {
  for (const { store, dir } of opened.splice(0)) {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function startAdmin(store: AdminStore, options: Partial<AdminOptions> = {}): Promise<AdminServer & { url: string }> {
  const server = await serveAdmin({
    store,
    port: 0,
    tokens: [{ token: WRITE, name: 'ops', access: 'write' }, { token: READ, name: 'viewer', access: 'read' }],
    ...options,
  })
  return { ...server, url: `http://127.0.0.1:${server.port}` }
}

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
  json: any
}

/** One request; `body` an object is sent as JSON, a string as text/plain, unless `type` says otherwise. */
export async function http(base: string, method: string, path: string, options: { token?: string | null; body?: unknown; type?: string } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = {}
  const token = options.token === undefined ? WRITE : options.token
  if (token !== null) headers['Authorization'] = `Bearer ${token}`
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers['Content-Type'] = options.type ?? (typeof options.body === 'string' ? 'text/plain' : 'application/json')
  }
  const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}
