/**
 * `parseNginxStream`: an nginx.conf (or just its `stream { }` block) read as proxy pool options,
 * so a team moving off nginx keeps the configuration it has. Each `server { }` of the stream
 * block becomes one entry: where it listens, and the {@link UdpProxyPoolOptions} of the upstream
 * it proxies to. Main-context directives that concern nginx itself (`user`, `worker_processes`,
 * `events { }`, `http { }`...) are listed as ignored; anything inside `stream` that the pool
 * cannot honour is an error naming `file:line:column`, never silently dropped.
 */
import type { BalancePolicy } from '../pool/balancers.js'
import { ipVersion } from '../util/cidr.js'
import { ConfigSyntaxError } from '../util/errors.js'
import type { NginxDirective, NginxToken } from './nginx-syntax.js'
import { parseNginxDirectives } from './nginx-syntax.js'
import type { ProxyMemberOptions, UdpProxyPoolOptions } from './options.js'

/** Where one `server { }` block listens (its `listen` directives, merged: `listen 53 udp; listen 53;` is both). */
export interface NginxListen {
  /** `0.0.0.0` when the directive names only a port (as nginx binds `*:PORT`). */
  address: string
  port: number
  udp: boolean
  tcp: boolean
  reuseport: boolean
}

/** One `server { }` block of the stream block. */
export interface NginxStreamServer {
  listen: NginxListen
  /** The upstream named by `proxy_pass`, or `undefined` when it names an address. */
  upstream: string | undefined
  options: UdpProxyPoolOptions
  /** Position of the `server` keyword. */
  line: number
  column: number
}

/** A directive outside `stream` that was skipped. */
export interface NginxIgnoredDirective {
  name: string
  line: number
  column: number
}

/** What {@link parseNginxStream} returns. */
export interface NginxStreamConfig {
  servers: NginxStreamServer[]
  ignored: NginxIgnoredDirective[]
}

/** Options for {@link parseNginxStream}. */
export interface ParseNginxStreamOptions {
  /** Named in errors (default `nginx.conf`). */
  file?: string
}

/**
 * Reads an nginx configuration (or a bare `stream { }` block) into one entry per stream
 * `server { }`. Throws {@link ConfigSyntaxError} (code `ERR_PROXY_CONFIG`) at the offending
 * token for syntax errors, unsupported directives or parameters, unknown upstreams and bad values.
 */
export function parseNginxStream(text: string, options: ParseNginxStreamOptions = {}): NginxStreamConfig {
  const file = options.file ?? 'nginx.conf'
  const ctx = new Context(file)
  const top = parseNginxDirectives(text, file)
  const ignored: NginxIgnoredDirective[] = []
  const streams: NginxDirective[] = []
  for (const d of top) {
    if (d.name.text === 'stream') {
      ctx.expectBlock(d, 0)
      if (streams.length > 0) throw ctx.error(d.name, '"stream" directive is duplicate')
      streams.push(d)
    } else if (MAIN_DIRECTIVES.has(d.name.text)) ignored.push({ name: d.name.text, line: d.name.line, column: d.name.column })
    else throw ctx.error(d.name, `unknown directive "${d.name.text}" in the main context`)
  }
  const servers: NginxStreamServer[] = []
  for (const stream of streams) servers.push(...readStream(ctx, stream.block!))
  return { servers, ignored }
}

/** Main-context (and core) directives that configure nginx itself, not the proxy. */
const MAIN_DIRECTIVES = new Set([
  'user', 'worker_processes', 'worker_rlimit_nofile', 'worker_rlimit_core', 'worker_cpu_affinity', 'worker_priority',
  'worker_shutdown_timeout', 'error_log', 'pid', 'events', 'http', 'mail', 'load_module', 'daemon', 'master_process',
  'env', 'pcre_jit', 'thread_pool', 'timer_resolution', 'working_directory', 'lock_file', 'ssl_engine', 'debug_points',
])

/** Proxy settings a `server { }` inherits from the `stream { }` level. */
type ProxySettings = Partial<Pick<UdpProxyPoolOptions, 'timeoutMs' | 'responses' | 'connectTimeoutMs' | 'nextUpstream' | 'nextUpstreamTries' | 'nextUpstreamTimeoutMs'>>

interface Upstream {
  name: NginxToken
  members: ProxyMemberOptions[]
  policy: BalancePolicy | undefined
}

function readStream(ctx: Context, block: NginxDirective[]): NginxStreamServer[] {
  const upstreams = new Map<string, Upstream>()
  const inherited: ProxySettings = {}
  for (const d of block) {
    if (d.name.text === 'upstream') {
      ctx.expectBlock(d, 1)
      const name = d.args[0]!
      if (upstreams.has(name.text)) throw ctx.error(name, `duplicate upstream "${name.text}"`)
      upstreams.set(name.text, readUpstream(ctx, name, d.block!))
    } else if (d.name.text !== 'server') readProxySetting(ctx, d, inherited, 'stream')
  }
  const servers: NginxStreamServer[] = []
  for (const d of block) {
    if (d.name.text !== 'server') continue
    ctx.expectBlock(d, 0)
    servers.push(readServer(ctx, d, upstreams, inherited))
  }
  return servers
}

function readUpstream(ctx: Context, name: NginxToken, block: NginxDirective[]): Upstream {
  const upstream: Upstream = { name, members: [], policy: undefined }
  let policyToken: NginxToken | undefined
  const backups: NginxToken[] = []
  for (const d of block) {
    const n = d.name.text
    if (n === 'server') {
      ctx.expectSimple(d)
      if (d.args.length === 0) throw ctx.error(d.name, 'invalid number of arguments in "server" directive')
      const member = readAddress(ctx, d.args[0]!, 'upstream') as ProxyMemberOptions
      for (const p of d.args.slice(1)) {
        const [key, value] = splitParam(p.text)
        if (key === 'weight' && value !== undefined) member.weight = ctx.integer(p, value, 1, `invalid parameter "${p.text}"`)
        else if (key === 'max_fails' && value !== undefined) member.maxFails = ctx.integer(p, value, 0, `invalid parameter "${p.text}"`)
        else if (key === 'fail_timeout' && value !== undefined) member.failTimeoutMs = ctx.time(p, value)
        else if (p.text === 'backup') {
          member.backup = true
          backups.push(p)
        } else if (p.text === 'down') member.down = true
        else throw ctx.error(p, `unsupported parameter "${p.text}"`)
      }
      upstream.members.push(member)
      continue
    }
    if (n !== 'least_conn' && n !== 'hash' && n !== 'random') throw ctx.error(d.name, `unsupported directive "${n}" in upstream`)
    ctx.expectSimple(d)
    if (policyToken) throw ctx.error(d.name, 'load balancing method redefined')
    policyToken = d.name
    upstream.policy = readPolicy(ctx, d)
  }
  if (upstream.members.length === 0) throw ctx.error(name, `no servers in upstream "${name.text}"`)
  // nginx's hash and random methods have no notion of a backup server; it rejects the pair.
  if (upstream.policy === 'hash' || upstream.policy === 'random-two') {
    if (backups.length > 0) throw ctx.error(backups[0]!, `"backup" is not supported with "${policyToken!.text}"`)
  }
  return upstream
}

function readPolicy(ctx: Context, d: NginxDirective): BalancePolicy {
  const args = d.args.map((a) => a.text)
  if (d.name.text === 'least_conn') {
    if (args.length > 0) throw ctx.error(d.args[0]!, 'invalid number of arguments in "least_conn" directive')
    return 'least-outstanding'
  }
  if (d.name.text === 'hash') {
    if (args.length === 0) throw ctx.error(d.name, 'invalid number of arguments in "hash" directive')
    // The pool hashes the client address; any other key would silently balance differently.
    if (args[0] !== '$remote_addr') throw ctx.error(d.args[0]!, `unsupported hash key "${args[0]}" (only $remote_addr)`)
    if (args.length > 2 || (args.length === 2 && args[1] !== 'consistent')) throw ctx.error(d.args[1]!, `invalid parameter "${args[1]}"`)
    return 'hash'
  }
  // random [two [least_conn]]: the pool's random policy is always power of two choices.
  if (args.length >= 1 && args[0] !== 'two') throw ctx.error(d.args[0]!, `invalid parameter "${args[0]}"`)
  if (args.length >= 2 && args[1] !== 'least_conn') throw ctx.error(d.args[1]!, `invalid parameter "${args[1]}"`)
  if (args.length > 2) throw ctx.error(d.args[2]!, 'invalid number of arguments in "random" directive')
  return 'random-two'
}

function readServer(ctx: Context, d: NginxDirective, upstreams: Map<string, Upstream>, inherited: ProxySettings): NginxStreamServer {
  let listen: NginxListen | undefined
  let pass: NginxToken | undefined
  const own: ProxySettings = {}
  for (const s of d.block!) {
    const n = s.name.text
    if (n === 'listen') {
      ctx.expectSimple(s)
      listen = readListen(ctx, s, listen)
    } else if (n === 'proxy_pass') {
      ctx.expectSimple(s, 1)
      if (pass) throw ctx.error(s.name, '"proxy_pass" directive is duplicate')
      pass = s.args[0]!
    } else readProxySetting(ctx, s, own, 'server')
  }
  if (!listen) throw ctx.error(d.name, 'no "listen" is defined for server')
  if (!pass) throw ctx.error(d.name, 'no "proxy_pass" is defined for server')
  let members: ProxyMemberOptions[]
  let policy: BalancePolicy | undefined
  let upstream: string | undefined
  const named = upstreams.get(pass.text)
  if (named) {
    members = named.members.map((m) => ({ ...m }))
    policy = named.policy
    upstream = pass.text
  } else if (/:\d+$/.test(pass.text)) members = [readAddress(ctx, pass, 'proxy_pass')]
  else throw ctx.error(pass, `unknown upstream "${pass.text}"`)
  const options: UdpProxyPoolOptions = { members, ...(policy ? { policy } : {}), ...inherited, ...own }
  return { listen, upstream, options, line: d.name.line, column: d.name.column }
}

function readListen(ctx: Context, d: NginxDirective, previous: NginxListen | undefined): NginxListen {
  if (d.args.length === 0) throw ctx.error(d.name, 'invalid number of arguments in "listen" directive')
  const where = d.args[0]!
  let address = '0.0.0.0'
  let portText = where.text
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(where.text)
  if (bracket) [address, portText] = [bracket[1]!, bracket[2]!]
  else if (where.text.includes(':')) {
    const i = where.text.lastIndexOf(':')
    address = where.text.slice(0, i) === '*' ? '0.0.0.0' : where.text.slice(0, i)
    portText = where.text.slice(i + 1)
  }
  if (!ipVersion(address)) throw ctx.error(where, `invalid address in "${where.text}" of the "listen" directive`)
  const port = ctx.integer(where, portText, 1, `invalid port in "${where.text}" of the "listen" directive`, 65535)
  let udp = false
  let reuseport = false
  for (const p of d.args.slice(1)) {
    if (p.text === 'udp') udp = true
    else if (p.text === 'reuseport') reuseport = true
    else throw ctx.error(p, `unsupported parameter "${p.text}" of the "listen" directive`)
  }
  if (!previous) return { address, port, udp, tcp: !udp, reuseport }
  if (previous.address !== address || previous.port !== port) {
    throw ctx.error(where, 'a server listening on two addresses is not supported (use one server block per address)')
  }
  if ((udp && previous.udp) || (!udp && previous.tcp)) throw ctx.error(where, `duplicate listen ${where.text}`)
  return { address, port, udp: previous.udp || udp, tcp: previous.tcp || !udp, reuseport: previous.reuseport || reuseport }
}

function readProxySetting(ctx: Context, d: NginxDirective, into: ProxySettings, where: 'stream' | 'server'): void {
  const n = d.name.text
  const set = <K extends keyof ProxySettings>(key: K, value: ProxySettings[K]): void => {
    if (into[key] !== undefined) throw ctx.error(d.name, `"${n}" directive is duplicate`)
    into[key] = value
  }
  switch (n) {
    case 'proxy_timeout':
      ctx.expectSimple(d, 1)
      return set('timeoutMs', ctx.time(d.args[0]!, d.args[0]!.text))
    case 'proxy_connect_timeout':
      ctx.expectSimple(d, 1)
      return set('connectTimeoutMs', ctx.time(d.args[0]!, d.args[0]!.text))
    case 'proxy_next_upstream_timeout':
      ctx.expectSimple(d, 1)
      return set('nextUpstreamTimeoutMs', ctx.time(d.args[0]!, d.args[0]!.text))
    case 'proxy_responses':
      ctx.expectSimple(d, 1)
      return set('responses', ctx.integer(d.args[0]!, d.args[0]!.text, 0, `invalid value "${d.args[0]!.text}"`))
    case 'proxy_next_upstream_tries':
      ctx.expectSimple(d, 1)
      return set('nextUpstreamTries', ctx.integer(d.args[0]!, d.args[0]!.text, 0, `invalid value "${d.args[0]!.text}"`))
    case 'proxy_next_upstream': {
      ctx.expectSimple(d, 1)
      const v = d.args[0]!.text
      if (v !== 'on' && v !== 'off') throw ctx.error(d.args[0]!, `invalid value "${v}" in "${n}" directive, it must be "on" or "off"`)
      return set('nextUpstream', v === 'on')
    }
    default:
      throw ctx.error(d.name, `unsupported directive "${n}" in ${where}`)
  }
}

function readAddress(ctx: Context, t: NginxToken, what: string): ProxyMemberOptions {
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(t.text)
  const i = t.text.lastIndexOf(':')
  const [address, portText] = bracket ? [bracket[1]!, bracket[2]!] : i < 0 || t.text.split(':').length > 2 ? [t.text, undefined] : [t.text.slice(0, i), t.text.slice(i + 1)]
  // Names would need a resolver; the pool takes addresses.
  if (!ipVersion(address)) throw ctx.error(t, `"${t.text}" in ${what} is not an IP address (host names are not supported)`)
  if (portText === undefined) throw ctx.error(t, `no port in ${what} "${t.text}"`)
  return { address, port: ctx.integer(t, portText, 1, `invalid port in "${t.text}"`, 65535) }
}

function splitParam(text: string): [string, string | undefined] {
  const eq = text.indexOf('=')
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)]
}

/** nginx time units, largest first: a combined value must use them in this order (`1m30s`, not `30s1m`). */
const TIME_UNITS: readonly [string, number][] = [
  ['y', 365 * 86_400_000], ['M', 30 * 86_400_000], ['w', 7 * 86_400_000], ['d', 86_400_000],
  ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1],
]

/** Parses nginx time syntax (`500ms`, `20s`, `1m30s`, a bare number is seconds) to milliseconds; `undefined` when malformed. */
export function parseNginxTime(text: string): number | undefined {
  const re = /(\d+)(ms|y|M|w|d|h|m|s)?/y
  let total = 0
  let last = -1
  let pos = 0
  if (text === '') return undefined
  while (pos < text.length) {
    re.lastIndex = pos
    const m = re.exec(text)
    if (!m) return undefined
    const unit = m[2] ?? 's'
    const rank = TIME_UNITS.findIndex(([u]) => u === unit)
    // A bare number is seconds and must come last, as in nginx.
    if (rank <= last || (m[2] === undefined && re.lastIndex < text.length)) return undefined
    last = rank
    total += Number(m[1]) * TIME_UNITS[rank]![1]
    pos = re.lastIndex
  }
  return Number.isSafeInteger(total) ? total : undefined
}

class Context {
  constructor(readonly file: string) {}

  error(t: NginxToken, reason: string): ConfigSyntaxError {
    return new ConfigSyntaxError(reason, { file: this.file, line: t.line, column: t.column }, { code: 'ERR_PROXY_CONFIG' })
  }

  expectBlock(d: NginxDirective, args: number): void {
    if (!d.block) throw this.error(d.name, `directive "${d.name.text}" has no opening "{"`)
    if (d.args.length !== args) throw this.error(d.args[args] ?? d.name, `invalid number of arguments in "${d.name.text}" directive`)
  }

  expectSimple(d: NginxDirective, args?: number): void {
    if (d.block) throw this.error(d.name, `directive "${d.name.text}" is not terminated by ";"`)
    if (args !== undefined && d.args.length !== args) throw this.error(d.args[args] ?? d.name, `invalid number of arguments in "${d.name.text}" directive`)
  }

  integer(t: NginxToken, text: string, min: number, reason: string, max = 2 ** 31 - 1): number {
    if (!/^\d+$/.test(text)) throw this.error(t, reason)
    const n = Number(text)
    if (n < min || n > max) throw this.error(t, reason)
    return n
  }

  time(t: NginxToken, text: string): number {
    const ms = parseNginxTime(text)
    if (ms === undefined) throw this.error(t, `invalid time value "${text}"`)
    return ms
  }
}
