/**
 * {@link parseDnsmasqConf}: a dnsmasq.conf to {@link ForwarderOptions} plus the listen address
 * and port, so an existing dnsmasq configuration runs as `new Forwarder(parseDnsmasqConf(text))`.
 * DNS-forwarding options are translated; DHCP, TFTP and process options (user, pid-file,
 * logging...) are listed as ignored; anything else is an `ERR_CONFIG` naming `file:line`.
 */
import { isAbsolute, resolve } from 'node:path'
import { addressBytes, compileAcl } from '../util/cidr.js'
import { DnsHaError } from '../util/errors.js'
import type { AddressRule, DomainServers } from './domain-rules.js'
import type { ForwarderOptions } from './forwarder.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import { parseServerAddress } from './parse-resolv-conf.js'

/** What a dnsmasq.conf says, as forwarder options plus where to listen. */
export interface DnsmasqConfig extends ForwarderOptions {
  /** `listen-address` (every address when empty, as in dnsmasq) and `port` (default 53). */
  listen: { addresses: string[]; port: number }
  /** Lines that were understood but do not apply to DNS forwarding. */
  ignored: { line: number; option: string; reason: string }[]
}

/** Options for {@link parseDnsmasqConf}. */
export interface ParseDnsmasqConfOptions {
  /** Relative paths (`addn-hosts`, `resolv-file`) are resolved against it (default: left as written). */
  baseDir?: string
  /** Named in error messages (`file:line`). */
  fileName?: string
}

type Flag = 'domain-needed' | 'bogus-priv' | 'strict-order' | 'all-servers' | 'expand-hosts' | 'no-resolv' | 'no-hosts' | 'no-negcache'

const FLAGS = new Set<string>(['domain-needed', 'bogus-priv', 'strict-order', 'all-servers', 'expand-hosts', 'no-resolv', 'no-hosts', 'no-negcache'])

const IGNORED_PREFIXES: [RegExp, string][] = [
  [/^dhcp(-|$)/, 'DHCP is not part of DNS forwarding'],
  [/^(enable-tftp|tftp-)/, 'TFTP is not part of DNS forwarding'],
  [/^(pxe-|bootp-|leasefile-ro$|enable-ra$|ra-param$|read-ethers$|no-ping$|log-dhcp$)/, 'DHCP is not part of DNS forwarding'],
  [/^(interface|except-interface|no-dhcp-interface|bind-interfaces|bind-dynamic|auth-server)$/, 'interfaces are chosen by the DnsServer that hosts the forwarder'],
  [/^(user|group|pid-file|keep-in-foreground|no-daemon|log-queries|log-facility|log-async)$/, 'a process option of the dnsmasq daemon'],
]

/**
 * Parses dnsmasq.conf text. Understood: `address`, `local`, `server`, `domain-needed`,
 * `bogus-priv`, `addn-hosts`, `resolv-file`, `no-resolv`, `no-hosts`, `strict-order`,
 * `all-servers`, `cache-size`, `neg-ttl`, `no-negcache`, `local-ttl`, `min-cache-ttl`,
 * `max-cache-ttl`, `dns-forward-max`, `domain`, `expand-hosts`, `listen-address`, `port`.
 * As in dnsmasq, /etc/hosts is read unless `no-hosts`, and /etc/resolv.conf unless
 * `resolv-file` or `no-resolv`.
 */
export function parseDnsmasqConf(text: string, options: ParseDnsmasqConfOptions = {}): DnsmasqConfig {
  const fileName = options.fileName ?? '<dnsmasq.conf>'
  const path = (p: string): string => (options.baseDir && !isAbsolute(p) ? resolve(options.baseDir, p) : p)
  const flags = new Set<Flag>()
  const addnHosts: string[] = []
  const addresses: AddressRule[] = []
  const domainServers: DomainServers[] = []
  const servers: UpstreamServer[] = []
  const listenAddresses: string[] = []
  const ignored: DnsmasqConfig['ignored'] = []
  const numbers: Partial<Record<'port' | 'cache-size' | 'neg-ttl' | 'local-ttl' | 'min-cache-ttl' | 'max-cache-ttl' | 'dns-forward-max', number>> = {}
  let resolvFile: string | undefined
  let domain: string | undefined
  const domainRanges: { domain: string; range: string }[] = []

  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const where = `${fileName}:${i + 1}`
    // `#` starts a comment at the start of a line or after whitespace (`server=ip#port` keeps its port).
    const content = lines[i]!.replace(/(^|\s)#.*$/, '').trim()
    if (content === '') continue
    const eq = content.indexOf('=')
    const option = (eq < 0 ? content : content.slice(0, eq)).trim()
    const value = eq < 0 ? undefined : content.slice(eq + 1).trim()
    const fail = (message: string): never => {
      throw new DnsHaError('ERR_CONFIG', `${where}: ${message}`, { details: { fileName, line: i + 1, option } })
    }
    const need = (): string => (value === undefined || value === '' ? fail(`${option} needs a value`) : value)
    if (FLAGS.has(option)) {
      if (value !== undefined) fail(`${option} takes no value`)
      flags.add(option as Flag)
      continue
    }
    switch (option) {
      case 'port':
      case 'cache-size':
      case 'neg-ttl':
      case 'local-ttl':
      case 'min-cache-ttl':
      case 'max-cache-ttl':
      case 'dns-forward-max': {
        const v = need()
        if (!/^\d+$/.test(v)) fail(`${option} must be a non-negative integer, got "${v}"`)
        const n = Number(v)
        if (option === 'port' && n > 65535) fail(`port must be 0..65535, got ${n}`)
        numbers[option] = n
        continue
      }
      case 'listen-address':
        for (const a of need().split(',')) {
          const address = a.trim()
          if (!addressBytes(address)) fail(`"${address}" is not an IP address`)
          listenAddresses.push(address)
        }
        continue
      case 'addn-hosts':
        addnHosts.push(path(need()))
        continue
      case 'resolv-file':
        resolvFile = path(need())
        continue
      case 'domain': {
        // `domain=example.lan[,range[,local]]`: the range is DHCP's, but `local` adds local=
        // for the domain and for the range's reverse zone (dnsmasq: /8, /16 or /24 only).
        const [name, range, local] = need().split(',').map((p) => p.trim())
        if (range === undefined) {
          domain = name!
          continue
        }
        // With a range, the domain is the expand-hosts suffix for that range only.
        if (!/^[0-9a-fA-F.:]+\/\d+$/.test(range)) fail(`domain=${name},${range}: only a CIDR range (a.b.c.d/n) is supported`)
        try {
          compileAcl([range])
        } catch {
          fail(`domain=${name},${range}: "${range}" is not a CIDR range`)
        }
        domainRanges.push({ domain: name!, range })
        if (local !== undefined && local !== 'local') fail(`domain=${name},${range},${local}: expected "local" after the range`)
        if (local === 'local') {
          const m = /^(\d+)\.(\d+)\.(\d+)\.\d+\/(8|16|24)$/.exec(range)
          if (!m) fail(`domain=${name},${range},local needs an IPv4 range with /8, /16 or /24`)
          const octets = [m![1], m![2], m![3]].slice(0, Number(m![4]) / 8)
          domainServers.push({ domain: name!, servers: [] }, { domain: `${octets.reverse().join('.')}.in-addr.arpa`, servers: [] })
        }
        continue
      }
      case 'address': {
        const { domains, rest } = splitDomains(need(), fail)
        const target = rest.trim()
        if (target !== '' && target !== '#' && !addressBytes(target)) fail(`"${target}" is not an IP address (or # for the null address)`)
        for (const d of domains) addresses.push({ domain: d, addresses: target === '' ? [] : [target] })
        continue
      }
      case 'server':
      case 'local': {
        const v = need()
        if (!v.startsWith('/')) {
          if (option === 'local') fail('local needs /domain/')
          servers.push(parseUpstream(v, where))
          continue
        }
        const { domains, rest } = splitDomains(v, fail)
        const target = rest.trim()
        for (const d of domains) {
          if (target === '') domainServers.push({ domain: d, servers: [] })
          else if (target === '#') domainServers.push({ domain: d, servers: 'default' })
          else domainServers.push({ domain: d, servers: [parseUpstream(target, where)] })
        }
        continue
      }
      default: {
        const match = IGNORED_PREFIXES.find(([re]) => re.test(option))
        if (match) {
          ignored.push({ line: i + 1, option, reason: match[1] })
          continue
        }
        fail(`unknown or unsupported option "${option}"`)
      }
    }
  }

  const config: DnsmasqConfig = {
    listen: { addresses: listenAddresses, port: numbers.port ?? 53 },
    ignored,
    // dnsmasq reads /etc/hosts, then the addn-hosts files last-listed first (each one is pushed
    // onto the front of its list); the order decides which name an address's PTR points to.
    hostsFiles: [...(flags.has('no-hosts') ? [] : ['/etc/hosts']), ...addnHosts.reverse()],
    // dnsmasq forwards to every server whenever all-servers is set, strict-order or not.
    strategy: flags.has('all-servers') ? 'all' : flags.has('strict-order') ? 'strict' : 'fastest',
    domainNeeded: flags.has('domain-needed'),
    bogusPriv: flags.has('bogus-priv'),
    expandHosts: flags.has('expand-hosts'),
    negativeCache: !flags.has('no-negcache'),
    servers: mergeServers(servers),
  }
  if (!flags.has('no-resolv')) config.resolvFile = resolvFile ?? '/etc/resolv.conf'
  if (domain !== undefined) config.domain = domain
  if (domainRanges.length > 0) config.domainRanges = domainRanges
  if (addresses.length > 0) config.addresses = addresses
  if (domainServers.length > 0) config.domainServers = mergeRoutes(domainServers)
  if (numbers['cache-size'] !== undefined) config.cacheSize = numbers['cache-size']
  if (numbers['neg-ttl'] !== undefined) config.negTtl = numbers['neg-ttl']
  if (numbers['local-ttl'] !== undefined) config.localTtl = numbers['local-ttl']
  // dnsmasq never lets min-cache-ttl raise a TTL above one hour (its TTL_FLOOR_LIMIT).
  if (numbers['min-cache-ttl'] !== undefined) config.minTtl = Math.min(numbers['min-cache-ttl'], 3600)
  if (numbers['max-cache-ttl'] !== undefined) config.maxTtl = numbers['max-cache-ttl']
  if (numbers['dns-forward-max'] !== undefined) config.maxForwards = Math.max(1, numbers['dns-forward-max'])
  return config
}

/** `/a.com/b.com/rest` → domains and what follows the last slash. */
function splitDomains(value: string, fail: (message: string) => never): { domains: string[]; rest: string } {
  if (!value.startsWith('/')) fail(`expected /domain/ in "${value}"`)
  const last = value.lastIndexOf('/')
  if (last === 0) fail(`unterminated /domain/ in "${value}"`)
  const domains = value.slice(1, last).split('/').map((d) => d.trim())
  for (const d of domains) {
    if (d !== '#' && !/^[A-Za-z0-9_.-]*$/.test(d)) fail(`"${d}" is not a domain`)
  }
  return { domains: domains.map((d) => (d === '' ? '#' : d)), rest: value.slice(last + 1) }
}

/** `ip[#port][@source]`: the source address/interface part is accepted and not used. */
function parseUpstream(text: string, where: string): UpstreamServer {
  const at = text.indexOf('@')
  return parseServerAddress(at < 0 ? text : text.slice(0, at), where)
}

/** Repeated `server=/d/ip` lines for one domain add upstreams to that domain, as in dnsmasq. */
function mergeRoutes(routes: DomainServers[]): DomainServers[] {
  const byDomain = new Map<string, DomainServers>()
  for (const r of routes) {
    const key = r.domain.toLowerCase()
    const existing = byDomain.get(key)
    if (existing && Array.isArray(existing.servers) && Array.isArray(r.servers) && existing.servers.length > 0 && r.servers.length > 0) {
      existing.servers.push(...r.servers)
    } else {
      byDomain.set(key, { domain: r.domain, servers: Array.isArray(r.servers) ? [...r.servers] : r.servers })
    }
  }
  return [...byDomain.values()]
}

function mergeServers(servers: UpstreamServer[]): UpstreamServer[] {
  const seen = new Set<string>()
  return servers.filter((s) => {
    const key = `${s.address}#${s.port ?? 53}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
