/**
 * {@link parseDnsmasqConf} and {@link readDnsmasqConf}: a dnsmasq.conf to {@link ForwarderOptions}
 * plus the listen address and port, so an existing dnsmasq configuration runs as
 * `new Forwarder(await readDnsmasqConf('/etc/dnsmasq.conf'))`. DNS-forwarding options and local
 * records are translated; DHCP, TFTP and process options (user, pid-file, logging...) are listed
 * as ignored; anything else is a {@link ConfigSyntaxError} with `file`, `line` and `column`.
 */
import { addressBytes, compileAcl } from '../util/cidr.js'
import { ConfigFileError, ConfigSyntaxError, isDnsHaError } from '../util/errors.js'
import type { ConfigPosition } from '../util/errors.js'
import type { ConfLine } from './dnsmasq-syntax.js'
import { fields, mergeRoutes, mergeServers, revServer, serverLine, splitDomains, splitOption, toLines } from './dnsmasq-syntax.js'
import type { AddressRule, DomainServers } from './domain-rules.js'
import type { FileSource } from './file-source.js'
import { nodeFileSource } from './file-source.js'
import type { ForwarderOptions } from './forwarder.js'
import type { CnameRecord, HostRecord, PtrRecord, SrvRecord, TxtRecord } from './local-table.js'
import type { UpstreamServer } from './parse-resolv-conf.js'

/** What a dnsmasq.conf says, as forwarder options plus where to listen. */
export interface DnsmasqConfig extends ForwarderOptions {
  /** `listen-address` (every address when empty, as in dnsmasq) and `port` (default 53). */
  listen: { addresses: string[]; port: number }
  /** Lines that were understood but do not apply to DNS forwarding. */
  ignored: { file: string; line: number; option: string; reason: string }[]
}

/** Options for {@link parseDnsmasqConf}. */
export interface ParseDnsmasqConfOptions {
  /** Relative paths (`addn-hosts`, `resolv-file`, `servers-file`) are resolved against it (default: left as written). */
  baseDir?: string
  /** Named in errors (`file`) and in `ignored` (default `<dnsmasq.conf>`). */
  fileName?: string
}

/** Options for {@link readDnsmasqConf}. */
export interface ReadDnsmasqConfOptions {
  /** Where files and directories are read from (default: the disk, through {@link nodeFileSource}). */
  files?: FileSource
  /** Relative paths, those of `conf-file` and `conf-dir` included, are resolved against it (default: left as written, as dnsmasq does). */
  baseDir?: string
}

type Flag = 'domain-needed' | 'bogus-priv' | 'strict-order' | 'all-servers' | 'expand-hosts' | 'no-resolv' | 'no-hosts' | 'no-negcache' | 'stop-dns-rebind' | 'rebind-localhost-ok'

const FLAGS = new Set<string>(['domain-needed', 'bogus-priv', 'strict-order', 'all-servers', 'expand-hosts', 'no-resolv', 'no-hosts', 'no-negcache', 'stop-dns-rebind', 'rebind-localhost-ok'])

const IGNORED_PREFIXES: [RegExp, string][] = [
  [/^dhcp(-|$)/, 'DHCP is not part of DNS forwarding'],
  [/^(enable-tftp|tftp-)/, 'TFTP is not part of DNS forwarding'],
  [/^(pxe-|bootp-|leasefile-ro$|enable-ra$|ra-param$|read-ethers$|no-ping$|log-dhcp$)/, 'DHCP is not part of DNS forwarding'],
  [/^(interface|except-interface|no-dhcp-interface|bind-interfaces|bind-dynamic|auth-server)$/, 'interfaces are chosen by the DnsServer that hosts the forwarder'],
  [/^(user|group|pid-file|keep-in-foreground|no-daemon|log-queries|log-facility|log-async)$/, 'a process option of the dnsmasq daemon'],
]

/** `conf-file=` / `conf-dir=` nest at most this deep (a file that includes itself is an error before that). */
const MAX_INCLUDE_DEPTH = 16

/**
 * Parses dnsmasq.conf text. Understood: `address`, `local`, `server`, `rev-server`, `cname`,
 * `txt-record`, `srv-host`, `ptr-record`, `host-record`, `servers-file`, `domain-needed`,
 * `bogus-priv`, `addn-hosts`, `resolv-file`, `no-resolv`, `no-hosts`, `strict-order`,
 * `all-servers`, `cache-size`, `neg-ttl`, `no-negcache`, `local-ttl`, `min-cache-ttl`,
 * `max-cache-ttl`, `dns-forward-max`, `domain`, `expand-hosts`, `listen-address`, `port`,
 * `stop-dns-rebind`, `rebind-localhost-ok`, `rebind-domain-ok`.
 * As in dnsmasq, /etc/hosts is read unless `no-hosts`, and /etc/resolv.conf unless
 * `resolv-file` or `no-resolv`. `conf-file` and `conf-dir` need files read, so they are only
 * accepted by {@link readDnsmasqConf}; here they are a {@link ConfigSyntaxError}.
 */
export function parseDnsmasqConf(text: string, options: ParseDnsmasqConfOptions = {}): DnsmasqConfig {
  return buildConfig(toLines(text, options.fileName ?? '<dnsmasq.conf>'), options.baseDir, false)
}

/**
 * Reads a dnsmasq.conf and every file it includes through `files`: `conf-file=FILE` is read where
 * it appears, `conf-dir=DIR[,EXT...]` reads the directory's files in alphabetical order (skipping
 * names that start with `.`, end in `~` or start and end with `#`, those ending in a listed
 * extension, and with `*.EXT` forms reading only files that end in one of them), as dnsmasq 2.90
 * does. A file that cannot be read is a {@link ConfigSyntaxError} at the line that names it (the
 * top file: a {@link ConfigFileError}); `cause` is the file source's error.
 */
export async function readDnsmasqConf(path: string, options: ReadDnsmasqConfOptions = {}): Promise<DnsmasqConfig> {
  const files = options.files ?? nodeFileSource
  const resolvePath = (p: string): string => resolveAgainst(options.baseDir, p)
  const lines: ConfLine[] = []
  const reading: string[] = []
  const readInto = async (file: string, from: ConfigPosition | undefined): Promise<void> => {
    if (reading.includes(file)) throw new ConfigSyntaxError(`"${file}" includes itself (${[...reading, file].join(' -> ')})`, from!)
    if (reading.length >= MAX_INCLUDE_DEPTH) throw new ConfigSyntaxError(`includes nest deeper than ${MAX_INCLUDE_DEPTH} files`, from!)
    let text: string
    try {
      text = await files.readFile(file)
    } catch (error) {
      throw unreadable(file, error, from)
    }
    reading.push(file)
    for (const line of toLines(text, file)) {
      const { option, value, valueColumn } = splitOption(line)
      if (option !== 'conf-file' && option !== 'conf-dir') {
        lines.push(line)
        continue
      }
      const at = { file: line.file, line: line.line, column: valueColumn }
      if (value === undefined || value === '') throw new ConfigSyntaxError(`${option} needs a value`, at)
      if (option === 'conf-file') {
        await readInto(resolvePath(value), at)
        continue
      }
      const [dir, ...extensions] = value.split(',').map((p) => p.trim())
      const directory = resolvePath(dir!)
      if (!files.readDir) throw new ConfigSyntaxError(`conf-dir needs a file source that can list directories (FileSource.readDir)`, at)
      let names: string[]
      try {
        names = await files.readDir(directory)
      } catch (error) {
        throw unreadable(directory, error, at)
      }
      for (const name of confDirFiles(names, extensions)) await readInto(`${directory.replace(/\/+$/, '')}/${name}`, at)
    }
    reading.pop()
  }
  await readInto(resolvePath(path), undefined)
  return buildConfig(lines, options.baseDir, true)
}

// ---- the shared core ----

function buildConfig(lines: readonly ConfLine[], baseDir: string | undefined, includesRead: boolean): DnsmasqConfig {
  const path = (p: string): string => resolveAgainst(baseDir, p)
  const flags = new Set<Flag>()
  const addnHosts: string[] = []
  const addresses: AddressRule[] = []
  const domainServers: DomainServers[] = []
  const servers: UpstreamServer[] = []
  const listenAddresses: string[] = []
  const ignored: DnsmasqConfig['ignored'] = []
  const numbers: Partial<Record<'port' | 'cache-size' | 'neg-ttl' | 'local-ttl' | 'min-cache-ttl' | 'max-cache-ttl' | 'dns-forward-max', number>> = {}
  const cnames: CnameRecord[] = []
  const txtRecords: TxtRecord[] = []
  const srvRecords: SrvRecord[] = []
  const ptrRecords: PtrRecord[] = []
  const hostRecords: HostRecord[] = []
  const cnameAliases = new Map<string, ConfigPosition>()
  let resolvFile: string | undefined
  let serversFile: string | undefined
  let domain: string | undefined
  const domainRanges: { domain: string; range: string }[] = []
  const rebindDomainOk: string[] = []

  for (const line of lines) {
    const { option, value, optionColumn, valueColumn } = splitOption(line)
    const at = (column: number): ConfigPosition => ({ file: line.file, line: line.line, column })
    const fail = (message: string, column = valueColumn): never => {
      throw new ConfigSyntaxError(message, at(column), { details: { option } })
    }
    const need = (): string => (value === undefined || value === '' ? fail(`${option} needs a value`, optionColumn) : value)
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
        for (const f of fields(need(), valueColumn)) {
          if (!addressBytes(f.text)) fail(`"${f.text}" is not an IP address`, f.column)
          listenAddresses.push(f.text)
        }
        continue
      case 'addn-hosts':
        addnHosts.push(path(need()))
        continue
      case 'resolv-file':
        resolvFile = path(need())
        continue
      case 'servers-file':
        serversFile = path(need())
        continue
      case 'conf-file':
      case 'conf-dir':
        if (!includesRead) fail(`${option} reads files: use readDnsmasqConf(path) instead of parseDnsmasqConf(text)`, optionColumn)
        continue
      case 'domain': {
        // `domain=example.lan[,range[,local]]`: the range is DHCP's, but `local` adds local=
        // for the domain and for the range's reverse zone (dnsmasq: /8, /16 or /24 only).
        const [nameField, rangeField, localField] = fields(need(), valueColumn)
        const name = nameField!.text
        if (rangeField === undefined) {
          domain = name
          continue
        }
        const range = rangeField.text
        // With a range, the domain is the expand-hosts suffix for that range only.
        if (!/^[0-9a-fA-F.:]+\/\d+$/.test(range)) fail(`domain=${name},${range}: only a CIDR range (a.b.c.d/n) is supported`, rangeField.column)
        try {
          compileAcl([range])
        } catch {
          fail(`domain=${name},${range}: "${range}" is not a CIDR range`, rangeField.column)
        }
        domainRanges.push({ domain: name, range })
        if (localField !== undefined && localField.text !== 'local') fail(`domain=${name},${range},${localField.text}: expected "local" after the range`, localField.column)
        if (localField !== undefined) {
          const m = /^(\d+)\.(\d+)\.(\d+)\.\d+\/(8|16|24)$/.exec(range)
          if (!m) fail(`domain=${name},${range},local needs an IPv4 range with /8, /16 or /24`, rangeField.column)
          const octets = [m![1], m![2], m![3]].slice(0, Number(m![4]) / 8)
          domainServers.push({ domain: name, servers: [] }, { domain: `${octets.reverse().join('.')}.in-addr.arpa`, servers: [] })
        }
        continue
      }
      case 'address': {
        const { domains, rest, restColumn } = splitDomains(need(), valueColumn, fail)
        const target = rest.trim()
        if (target !== '' && target !== '#' && !addressBytes(target)) fail(`"${target}" is not an IP address (or # for the null address)`, restColumn)
        for (const d of domains) addresses.push({ domain: d, addresses: target === '' ? [] : [target] })
        continue
      }
      case 'server':
      case 'local': {
        const v = need()
        if (option === 'local' && !v.startsWith('/')) fail('local needs /domain/')
        serverLine(v, valueColumn, at, servers, domainServers, option)
        continue
      }
      case 'rebind-domain-ok': {
        // `rebind-domain-ok=domain` or `rebind-domain-ok=/d1/d2/`, as dnsmasq takes both.
        const v = need()
        if (!v.startsWith('/')) {
          checkName({ text: v, column: valueColumn }, fail)
          rebindDomainOk.push(v)
          continue
        }
        const { domains, rest, restColumn } = splitDomains(v, valueColumn, fail)
        if (rest.trim() !== '') fail(`rebind-domain-ok takes only /domain/ lists, not "${rest}"`, restColumn)
        for (const d of domains) if (d !== '#') rebindDomainOk.push(d)
        continue
      }
      case 'rev-server':
        domainServers.push(...revServer(need(), valueColumn, at))
        continue
      case 'cname': {
        const parts = fields(need(), valueColumn)
        let ttl: number | undefined
        // The last field is a TTL when it is a number (names cannot be all digits here).
        if (parts.length >= 3 && /^\d+$/.test(parts[parts.length - 1]!.text)) ttl = ttlField(parts.pop()!, fail)
        if (parts.length < 2) fail('cname needs ALIAS[,ALIAS...],TARGET')
        const target = parts.pop()!
        checkName(target, fail)
        const aliases: string[] = []
        for (const a of parts) {
          checkName(a, fail)
          const key = a.text.toLowerCase().replace(/\.$/, '')
          // dnsmasq: "The cname must be unique".
          const earlier = cnameAliases.get(key)
          if (earlier) fail(`duplicate cname "${a.text}" (first at ${earlier.file}:${earlier.line})`, a.column)
          cnameAliases.set(key, at(a.column))
          aliases.push(a.text)
        }
        cnames.push({ aliases, target: target.text, ...(ttl === undefined ? {} : { ttl }) })
        continue
      }
      case 'txt-record': {
        const [name, ...texts] = fields(need(), valueColumn, true)
        checkName(name!, fail)
        txtRecords.push({ name: name!.text, texts: texts.map((t) => t.text) })
        continue
      }
      case 'srv-host': {
        const [name, target, port, priority, weight, extra] = fields(need(), valueColumn)
        if (extra) fail('srv-host takes at most NAME,TARGET,PORT,PRIORITY,WEIGHT', extra.column)
        checkName(name!, fail)
        // `_service._proto.` with no domain takes `domain=`, as dnsmasq.
        let owner = name!.text.replace(/\.$/, '')
        if (/^_[^.]+\._[^.]+$/.test(owner) && domain !== undefined) owner = `${owner}.${domain}`
        const record: SrvRecord = { name: owner }
        if (target !== undefined && target.text !== '') {
          checkName(target, fail)
          record.target = target.text
        }
        if (port !== undefined) record.port = u16Field(port, 'port', fail)
        if (priority !== undefined) record.priority = u16Field(priority, 'priority', fail)
        if (weight !== undefined) record.weight = u16Field(weight, 'weight', fail)
        srvRecords.push(record)
        continue
      }
      case 'ptr-record': {
        const [name, target, extra] = fields(need(), valueColumn, true)
        if (extra) fail('ptr-record takes NAME[,TARGET]', extra.column)
        checkName(name!, fail)
        ptrRecords.push(target === undefined ? { name: name!.text } : { name: name!.text, target: target.text })
        continue
      }
      case 'host-record': {
        const parts = fields(need(), valueColumn)
        const names: string[] = []
        const addressList: string[] = []
        let ttl: number | undefined
        parts.forEach((p, index) => {
          if (addressBytes(p.text)) addressList.push(p.text)
          else if (index === parts.length - 1 && index > 0 && /^\d+$/.test(p.text)) ttl = ttlField(p, fail)
          else if (addressList.length > 0) fail(`"${p.text}" is not an IP address (names come first in host-record)`, p.column)
          else {
            checkName(p, fail)
            names.push(p.text)
          }
        })
        if (names.length === 0) fail('host-record needs a name')
        if (addressList.length === 0) fail('host-record needs an IPv4 or IPv6 address')
        hostRecords.push({ names, addresses: addressList, ...(ttl === undefined ? {} : { ttl }) })
        continue
      }
      default: {
        const match = IGNORED_PREFIXES.find(([re]) => re.test(option))
        if (match) {
          ignored.push({ file: line.file, line: line.line, option, reason: match[1] })
          continue
        }
        fail(`unknown or unsupported option "${option}"`, optionColumn)
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
  if (serversFile !== undefined) config.serversFile = serversFile
  if (domain !== undefined) config.domain = domain
  if (domainRanges.length > 0) config.domainRanges = domainRanges
  if (addresses.length > 0) config.addresses = addresses
  if (domainServers.length > 0) config.domainServers = mergeRoutes(domainServers)
  if (cnames.length > 0) config.cnames = cnames
  if (txtRecords.length > 0) config.txtRecords = txtRecords
  if (srvRecords.length > 0) config.srvRecords = srvRecords
  if (ptrRecords.length > 0) config.ptrRecords = ptrRecords
  if (hostRecords.length > 0) config.hostRecords = hostRecords
  if (flags.has('stop-dns-rebind')) config.stopDnsRebind = true
  if (flags.has('rebind-localhost-ok')) config.rebindLocalhostOk = true
  if (rebindDomainOk.length > 0) config.rebindDomainOk = rebindDomainOk
  if (numbers['cache-size'] !== undefined) config.cacheSize = numbers['cache-size']
  if (numbers['neg-ttl'] !== undefined) config.negTtl = numbers['neg-ttl']
  if (numbers['local-ttl'] !== undefined) config.localTtl = numbers['local-ttl']
  // dnsmasq never lets min-cache-ttl raise a TTL above one hour (its TTL_FLOOR_LIMIT).
  if (numbers['min-cache-ttl'] !== undefined) config.minTtl = Math.min(numbers['min-cache-ttl'], 3600)
  if (numbers['max-cache-ttl'] !== undefined) config.maxTtl = numbers['max-cache-ttl']
  if (numbers['dns-forward-max'] !== undefined) config.maxForwards = Math.max(1, numbers['dns-forward-max'])
  return config
}

// ---- helpers ----


function checkName(field: { text: string; column: number }, fail: (message: string, column?: number) => never): void {
  const name = field.text.replace(/\.$/, '')
  if (name === '' || name.length > 253 || name.split('.').some((l) => l === '' || l.length > 63)) fail(`"${field.text}" is not a domain name`, field.column)
}

function ttlField(field: { text: string; column: number }, fail: (message: string, column?: number) => never): number {
  const n = Number(field.text)
  if (!/^\d+$/.test(field.text) || n > 0x7fffffff) fail(`"${field.text}" is not a TTL`, field.column)
  return n
}

function u16Field(field: { text: string; column: number }, what: string, fail: (message: string, column?: number) => never): number {
  const n = Number(field.text)
  if (!/^\d+$/.test(field.text) || n > 65535) fail(`${what} must be 0..65535, got "${field.text}"`, field.column)
  return n
}

/** conf-dir's selection and order: dnsmasq 2.90's rules (see {@link readDnsmasqConf}). */
function confDirFiles(names: readonly string[], extensions: readonly string[]): string[] {
  const only = extensions.filter((e) => e.startsWith('*')).map((e) => e.slice(1))
  const skip = extensions.filter((e) => e !== '' && !e.startsWith('*'))
  return names
    .filter((n) => !n.startsWith('.') && !n.endsWith('~') && !(n.length > 1 && n.startsWith('#') && n.endsWith('#')))
    .filter((n) => !skip.some((e) => n.endsWith(e)))
    .filter((n) => only.length === 0 || only.some((e) => n.endsWith(e)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

function unreadable(path: string, error: unknown, from: ConfigPosition | undefined): Error {
  const reason = error instanceof ConfigFileError ? error.reason : error instanceof Error ? error.message : String(error)
  const fileError = isDnsHaError(error) && error instanceof ConfigFileError ? error : new ConfigFileError(path, `cannot be read: ${reason}`, { cause: error })
  if (from === undefined) return fileError
  return new ConfigSyntaxError(`cannot read "${path}": ${reason}`, from, { cause: fileError, details: { path } })
}

/** Joins a relative path to `baseDir` (POSIX separators; absolute paths and no base leave it as written). */
function resolveAgainst(baseDir: string | undefined, p: string): string {
  if (baseDir === undefined || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return p
  return `${baseDir.replace(/[\\/]+$/, '')}/${p.replace(/^\.\//, '')}`
}
