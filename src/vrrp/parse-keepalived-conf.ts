/**
 * {@link parseKeepalivedConf}: keepalived.conf, unchanged, into a typed {@link KeepalivedConfig}.
 *
 * What keepalived rejects outright or replaces with a default (an unknown keyword, a missing
 * value, a bad number or address, a vrid or priority out of 1..255, an unbalanced brace) is a
 * `ConfigSyntaxError` with file:line:column. What keepalived repairs and reports (a long
 * auth_pass, a VRRPv2 interval it rounds, nopreempt it clears) is a warning in the result, marked
 * `configTestFails` where `keepalived --config-test` exits non-zero on it. Extra words after a
 * keyword's values are ignored by keepalived without a word; we keep a warning.
 */
import { addressBytes } from '../util/cidr.js'
import { ConfigFileError, ConfigSyntaxError } from '../util/errors.js'
import type {
  KeepalivedCheck,
  KeepalivedCheckCommon,
  KeepalivedConfig,
  KeepalivedGlobalDefs,
  KeepalivedLocation,
  KeepalivedRealServer,
  KeepalivedTrackRef,
  KeepalivedUnicastPeer,
  KeepalivedUnused,
  KeepalivedVip,
  KeepalivedVirtualServer,
  KeepalivedVrrpInstance,
  KeepalivedVrrpScript,
  KeepalivedWarning,
} from './keepalived-config.js'
import { nodeKeepalivedFiles } from './node-files.js'
import { readKeepalivedStatements, type KeepalivedFiles, type KeepalivedStatement, type KeepalivedWord } from './keepalived-syntax.js'

/** Options of {@link parseKeepalivedConf}. */
export interface ParseKeepalivedOptions {
  /** The file's name in errors and locations (default `keepalived.conf`). */
  file?: string
  /** Where relative `include` patterns start (default: the directory of `file`, else `.`). */
  baseDir?: string
  /** Reads an included file (default: the disk, through `nodeKeepalivedFiles`). */
  readFile?: (path: string) => string
  /** Lists a directory for wildcard includes (default: the disk when `readFile` is not given, else none: a wildcard include is then an error). */
  listDir?: (path: string) => string[]
}

/** Parses keepalived.conf text; throws `ConfigSyntaxError` (code `ERR_VRRP_CONFIG`) where keepalived would refuse. */
export function parseKeepalivedConf(text: string, options: ParseKeepalivedOptions = {}): KeepalivedConfig {
  const file = options.file ?? 'keepalived.conf'
  const slash = file.lastIndexOf('/')
  const baseDir = options.baseDir ?? (slash < 0 ? '.' : slash === 0 ? '/' : file.slice(0, slash))
  const files: KeepalivedFiles =
    options.readFile === undefined ? nodeKeepalivedFiles : { readFile: options.readFile, ...(options.listDir ? { listDir: options.listDir } : {}) }
  const warnings: KeepalivedWarning[] = []
  const filesRead = [file]
  const statements = readKeepalivedStatements(text, file, baseDir, files, warnings, filesRead)
  const parser = new Parser(file, warnings, filesRead)
  parser.top(statements)
  return parser.finish()
}

/** Reads and parses a keepalived.conf from disk (or through `options.readFile`); a file that cannot be read is a `ConfigFileError`. */
export function readKeepalivedConf(path: string, options: Omit<ParseKeepalivedOptions, 'file'> = {}): KeepalivedConfig {
  const read = options.readFile ?? nodeKeepalivedFiles.readFile
  let text: string
  try {
    text = read(path)
  } catch (error) {
    throw new ConfigFileError(path, error instanceof Error ? error.message : String(error), { cause: error })
  }
  return parseKeepalivedConf(text, { ...options, file: path })
}

const GLOBAL_UNUSED = new Set([
  'notification_email', 'notification_email_from', 'smtp_server', 'smtp_helo_name', 'smtp_connect_timeout', 'smtp_alert', 'smtp_alert_vrrp',
  'smtp_alert_checker', 'lvs_id', 'lvs_flush', 'lvs_flush_onstop', 'lvs_timeouts', 'lvs_sync_daemon', 'vrrp_mcast_group4', 'vrrp_mcast_group6',
  'vrrp_garp_master_refresh_repeat', 'vrrp_garp_lower_prio_delay', 'vrrp_garp_lower_prio_repeat', 'vrrp_garp_interval', 'vrrp_gna_interval',
  'vrrp_lower_prio_no_advert', 'vrrp_higher_prio_send_advert', 'vrrp_iptables', 'vrrp_ipsets', 'vrrp_nftables', 'vrrp_check_unicast_src',
  'vrrp_skip_check_adv_addr', 'vrrp_strict', 'vrrp_priority', 'checker_priority', 'bfd_priority', 'vrrp_no_swap', 'checker_no_swap',
  'bfd_no_swap', 'vrrp_rt_priority', 'checker_rt_priority', 'bfd_rt_priority', 'vrrp_rlimit_rttime', 'checker_rlimit_rttime',
  'vrrp_notify_fifo', 'vrrp_notify_fifo_script', 'notify_fifo', 'notify_fifo_script', 'lvs_notify_fifo', 'lvs_notify_fifo_script',
  'enable_traps', 'enable_snmp_vrrp', 'enable_snmp_checker', 'enable_snmp_rfc', 'enable_dbus', 'dynamic_interfaces', 'default_interface',
  'max_auto_priority', 'min_auto_priority_delay', 'script_security', 'net_namespace', 'instance', 'vrrp_netlink_cmd_rcv_bufs',
  'vrrp_netlink_monitor_rcv_bufs', 'process_monitor_rcv_bufs', 'checker_log_all_failures', 'vrrp_startup_delay', 'vrrp_min_garp',
  'vrrp_version_check', 'vrrp_dont_track_primary', 'vrrp_cleanup_nft', 'reload_check_config', 'config_save_dir', 'umask', 'startup_script',
  'shutdown_script', 'random_seed', 'fifo_write_vrrp_states_on_reload', 'use_pid_dir', 'no_checker_emails', 'vrrp_garp_extra_if',
])

const TOP_UNUSED = new Set([
  'vrrp_sync_group', 'virtual_server_group', 'static_ipaddress', 'static_routes', 'static_rules', 'vrrp_track_process', 'track_file',
  'vrrp_track_file', 'linkbeat_use_polling', 'net_namespace', 'bfd_instance', 'garp_group',
])

const INSTANCE_UNUSED = new Set([
  'dont_track_primary', 'use_vmac', 'vmac_xmit_base', 'native_ipv6', 'lvs_sync_daemon_interface', 'smtp_alert', 'debug', 'strict_mode',
  'garp_master_repeat', 'garp_master_refresh', 'garp_master_refresh_repeat', 'garp_lower_prio_delay', 'garp_lower_prio_repeat',
  'lower_prio_no_advert', 'higher_prio_send_advert', 'track_file', 'track_process', 'track_bfd', 'virtual_routes', 'virtual_rules',
  'skip_check_adv_addr', 'check_unicast_src', 'unicast_fault_no_peer', 'unicast_ttl', 'notify_master_rx_lower_pri', 'notify_deleted',
  'kernel_rx_buf_size', 'mcast_dst_ip', 'vrrp_mcast_group4', 'vrrp_mcast_group6', 'promote_secondaries', 'linkbeat_use_polling', 'no_accept_v2',
])

const LB_ALGOS = new Set(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'])

const REAL_SERVER_UNUSED = new Set(['notify_up', 'notify_down', 'uthreshold', 'lthreshold', 'smtp_alert', 'alpha', 'omega', 'quorum', 'delay_loop', 'virtualhost', 'rise', 'fall'])

const VIRTUAL_SERVER_UNUSED = new Set([
  'persistence_engine', 'persistence_granularity', 'virtualhost', 'alpha', 'omega', 'quorum', 'quorum_up', 'quorum_down', 'hysteresis',
  'ha_suspend', 'ops', 'retry', 'delay_before_retry', 'warmup', 'connect_timeout', 'inhibit_on_failure', 'lb_flags', 'one_packet_scheduler',
  'smtp_alert', 'ip_family', 'mh-port', 'mh-fallback', 'sh-port', 'sh-fallback',
])

class Parser {
  private readonly globalDefs: KeepalivedGlobalDefs = { enableScriptSecurity: false }
  private readonly scripts: KeepalivedVrrpScript[] = []
  private readonly instances: KeepalivedVrrpInstance[] = []
  private readonly virtualServers: KeepalivedVirtualServer[] = []
  private readonly unused: KeepalivedUnused[] = []

  constructor(
    private readonly file: string,
    private readonly warnings: KeepalivedWarning[],
    private readonly filesRead: string[],
  ) {}

  top(statements: KeepalivedStatement[]): void {
    for (const statement of statements) {
      const keyword = statement.words[0]!
      switch (keyword.text) {
        case 'global_defs':
          this.globals(this.block(statement))
          this.globalDefs.location = loc(keyword)
          break
        case 'vrrp_script':
          this.script(statement)
          break
        case 'vrrp_instance':
          this.instance(statement)
          break
        case 'virtual_server':
          this.virtualServer(statement)
          break
        default:
          if (!TOP_UNUSED.has(keyword.text)) unknown(keyword, 'at the top level')
          this.unused.push(unused('top level', statement))
      }
    }
  }

  finish(): KeepalivedConfig {
    const scripts = new Set(this.scripts.map((s) => s.name))
    for (const instance of this.instances) {
      for (const track of instance.trackScripts) {
        if (!scripts.has(track.name)) fail(`track_script ${track.name}: no vrrp_script of that name (keepalived: "track script not found")`, track.location)
      }
      const version = instance.version ?? this.globalDefs.vrrpVersion ?? 2
      const advert = instance.advertInt ?? 1
      const at = instance.locations['advert_int'] ?? instance.location
      if (version === 2 && !Number.isInteger(advert)) {
        this.warn(`advert_int ${advert}: VRRPv2 carries whole seconds; keepalived rounds it to ${Math.max(1, Math.round(advert))}`, at, true)
      }
      if (version === 3 && advert > 40.95) this.warn(`advert_int ${advert}: VRRPv3 carries at most 40.95 s; keepalived uses 40.95`, at, true)
      if (instance.nopreempt && instance.state === 'MASTER') {
        this.warn('nopreempt with state MASTER: keepalived clears nopreempt (a MASTER start preempts); dns-ha refuses this combination', instance.locations['nopreempt']!, true)
      }
      if (instance.nopreempt && instance.preemptDelay !== undefined && instance.preemptDelay > 0) {
        this.warn('preempt_delay with nopreempt: keepalived resets preempt_delay (it delays a preemption that never happens)', instance.locations['preempt_delay']!, true)
      }
      if (instance.authentication !== undefined && version === 3) {
        this.warn('authentication: VRRPv3 has none (RFC 5798 removed it); keepalived ignores it', instance.authentication.location, true)
      }
      const owner = (instance.priority ?? (instance.state === 'MASTER' ? 255 : 100)) === 255
      const weighted = [...instance.trackScripts.map((t) => ({ ...t, weight: t.weight ?? this.scripts.find((s) => s.name === t.name)?.weight })), ...instance.trackInterfaces]
      for (const track of weighted) {
        if (owner && track.weight !== undefined && track.weight !== 0) {
          this.warn(`track ${track.name} weight ${track.weight}: keepalived ignores weighted tracking on an address owner (priority 255)`, track.location, true)
        }
      }
      const sameLink = this.instances.find(
        (other) =>
          other !== instance &&
          other.virtualRouterId === instance.virtualRouterId &&
          other.interface === instance.interface &&
          family(other) === family(instance) &&
          this.instances.indexOf(other) < this.instances.indexOf(instance),
      )
      if (sameLink !== undefined) {
        this.warn(`${sameLink.name} and ${instance.name} both use VRID ${instance.virtualRouterId} with ${family(instance)} on interface ${instance.interface ?? '(default)'}`, instance.locations['virtual_router_id']!, true)
      }
      if (instance.virtualIpaddresses.length === 0) this.warn(`vrrp_instance ${instance.name}: no virtual_ipaddress (keepalived: "at least one is sensible")`, instance.location, false)
    }
    return {
      file: this.file,
      globalDefs: this.globalDefs,
      scripts: this.scripts,
      instances: this.instances,
      virtualServers: this.virtualServers,
      unused: this.unused,
      warnings: this.warnings,
      files: this.filesRead,
    }
  }

  private globals(statements: KeepalivedStatement[]): void {
    for (const statement of statements) {
      const [keyword] = statement.words as [KeepalivedWord]
      switch (keyword.text) {
        case 'router_id':
          this.globalDefs.routerId = this.value(statement, 1).text
          this.extra(statement, 2)
          break
        case 'vrrp_version':
          this.globalDefs.vrrpVersion = this.number(statement, 1, 2, 3, true) as 2 | 3
          break
        case 'script_user': {
          const user = this.value(statement, 1).text
          const group = statement.words[2]?.text
          this.extra(statement, 3)
          this.globalDefs.scriptUser = group === undefined ? { user } : { user, group }
          break
        }
        case 'enable_script_security':
          this.flag(statement)
          this.globalDefs.enableScriptSecurity = true
          break
        case 'vrrp_garp_master_delay':
          this.globalDefs.garpMasterDelay = this.number(statement, 1, 0, 255, true)
          break
        case 'vrrp_garp_master_repeat':
          this.globalDefs.garpMasterRepeat = this.number(statement, 1, 0, 255, true)
          break
        case 'vrrp_garp_master_refresh':
          this.globalDefs.garpMasterRefresh = this.number(statement, 1, 0, 86400, true)
          break
        default:
          if (!GLOBAL_UNUSED.has(keyword.text)) unknown(keyword, 'in global_defs')
          this.unused.push(unused('global_defs', statement))
      }
    }
  }

  private script(statement: KeepalivedStatement): void {
    const name = this.value(statement, 1).text
    this.extra(statement, 2)
    if (this.scripts.some((s) => s.name === name)) fail(`vrrp_script ${name} is defined twice`, statement.words[1]!)
    const script: Partial<KeepalivedVrrpScript> = { name, location: loc(statement.words[0]!) }
    for (const inner of this.block(statement)) {
      const [keyword] = inner.words as [KeepalivedWord]
      switch (keyword.text) {
        case 'script':
          script.script = this.rest(inner)
          break
        case 'interval':
          script.interval = this.number(inner, 1, 0.000001, 86400, false)
          break
        case 'timeout':
          script.timeout = this.number(inner, 1, 0.000001, 86400, false)
          break
        case 'weight':
          if (inner.words[2]?.text === 'reverse') fail("weight ... reverse is not supported (write the opposite weight and check instead)", inner.words[2])
          script.weight = this.number(inner, 1, -254, 254, true, 'weight')
          break
        case 'rise':
          script.rise = this.number(inner, 1, 1, 2 ** 31 - 1, true)
          break
        case 'fall':
          script.fall = this.number(inner, 1, 1, 2 ** 31 - 1, true)
          break
        case 'user': {
          const user = this.value(inner, 1).text
          const group = inner.words[2]?.text
          this.extra(inner, 3)
          script.user = group === undefined ? { user } : { user, group }
          break
        }
        case 'init_fail':
          this.unused.push(unused(`vrrp_script ${name}`, inner))
          break
        default:
          unknown(keyword, `in vrrp_script ${name}`)
      }
    }
    if (script.script === undefined) fail(`vrrp_script ${name} has no script`, statement.words[0]!)
    this.scripts.push(script as KeepalivedVrrpScript)
  }

  private instance(statement: KeepalivedStatement): void {
    const nameWord = this.value(statement, 1)
    const name = nameWord.text
    this.extra(statement, 2)
    if (this.instances.some((i) => i.name === name)) fail(`vrrp_instance ${name} is defined twice`, nameWord)
    const section = `vrrp_instance ${name}`
    const instance: KeepalivedVrrpInstance = {
      name,
      nopreempt: false,
      unicastPeers: [],
      virtualIpaddresses: [],
      virtualIpaddressesExcluded: [],
      trackScripts: [],
      trackInterfaces: [],
      notify: {},
      unused: [],
      location: loc(statement.words[0]!),
      locations: {},
    }
    for (const inner of this.block(statement)) {
      const [keyword] = inner.words as [KeepalivedWord]
      instance.locations[keyword.text] = loc(keyword)
      switch (keyword.text) {
        case 'state': {
          const word = this.value(inner, 1)
          if (word.text !== 'MASTER' && word.text !== 'BACKUP') fail(`unknown state '${word.text}': MASTER or BACKUP (keepalived falls back to BACKUP)`, word)
          this.extra(inner, 2)
          instance.state = word.text
          break
        }
        case 'interface':
          instance.interface = this.value(inner, 1).text
          this.extra(inner, 2)
          break
        case 'virtual_router_id':
          instance.virtualRouterId = this.number(inner, 1, 1, 255, true, 'virtual_router_id (VRID)')
          break
        case 'priority':
          instance.priority = this.number(inner, 1, 1, 255, true, 'priority')
          break
        case 'advert_int':
          instance.advertInt = this.number(inner, 1, 0.01, 255, false, 'advert_int')
          break
        case 'nopreempt':
          this.flag(inner)
          instance.nopreempt = true
          break
        case 'preempt':
          this.flag(inner)
          instance.nopreempt = false
          break
        case 'preempt_delay':
          instance.preemptDelay = this.number(inner, 1, 0, 1000, false, 'preempt_delay')
          break
        case 'version':
          instance.version = this.number(inner, 1, 2, 3, true, 'version') as 2 | 3
          break
        case 'unicast_src_ip':
          instance.unicastSrcIp = this.address(this.value(inner, 1))
          this.extra(inner, 2)
          break
        case 'mcast_src_ip':
          instance.mcastSrcIp = this.address(this.value(inner, 1))
          this.extra(inner, 2)
          break
        case 'unicast_peer':
          this.flag(inner, true)
          for (const line of this.block(inner)) instance.unicastPeers.push(this.peer(line))
          break
        case 'authentication':
          this.flag(inner, true)
          instance.authentication = this.authentication(inner)
          break
        case 'virtual_ipaddress':
          this.flag(inner, true)
          for (const line of this.block(inner)) instance.virtualIpaddresses.push(this.vip(line))
          this.sameFamily(instance.virtualIpaddresses, 'virtual_ipaddress')
          break
        case 'virtual_ipaddress_excluded':
          this.flag(inner, true)
          for (const line of this.block(inner)) instance.virtualIpaddressesExcluded.push(this.vip(line))
          break
        case 'track_script':
          this.flag(inner, true)
          for (const line of this.block(inner)) instance.trackScripts.push(this.track(line, -254, 254))
          break
        case 'track_interface':
          this.flag(inner, true)
          for (const line of this.block(inner)) instance.trackInterfaces.push(this.track(line, -253, 253))
          break
        case 'notify_master':
        case 'notify_backup':
        case 'notify_fault':
        case 'notify_stop':
        case 'notify':
          instance.notify[keyword.text === 'notify' ? 'any' : (keyword.text.slice(7) as 'master')] = this.rest(inner)
          break
        case 'garp_master_delay':
          instance.garpMasterDelay = this.number(inner, 1, 0, 255, true, 'garp_master_delay')
          break
        case 'accept':
          this.flag(inner)
          instance.accept = true
          break
        case 'no_accept':
          this.flag(inner)
          instance.accept = false
          break
        default: {
          if (!INSTANCE_UNUSED.has(keyword.text)) unknown(keyword, `in ${section}`)
          const entry = unused(section, inner)
          instance.unused.push(entry)
          this.unused.push(entry)
        }
      }
    }
    if (instance.virtualRouterId === undefined) fail(`${section}: the virtual router id must be set (virtual_router_id 1..255)`, nameWord)
    this.instances.push(instance)
  }

  private peer(line: KeepalivedStatement): KeepalivedUnicastPeer {
    this.flag(line, false, 'a unicast_peer line')
    const [addressWord] = line.words as [KeepalivedWord]
    const peer: KeepalivedUnicastPeer = { address: this.address(addressWord), location: loc(addressWord) }
    // keepalived reads the rest as option/value pairs; a lone word is "missing a value".
    for (let i = 1; i < line.words.length; i += 2) {
      const option = line.words[i]!
      if (line.words[i + 1] === undefined) fail(`unicast_peer ${peer.address}: '${option.text}' is missing a value (keepalived rejects this line too)`, option)
      if (option.text === 'min_ttl') peer.minTtl = this.number(line, i + 1, 0, 255, true, 'min_ttl', line.words.length)
      else if (option.text === 'max_ttl') peer.maxTtl = this.number(line, i + 1, 0, 255, true, 'max_ttl', line.words.length)
      else fail(`unicast_peer ${peer.address}: unknown option '${option.text}' (min_ttl, max_ttl)`, option)
    }
    return peer
  }

  private authentication(statement: KeepalivedStatement): NonNullable<KeepalivedVrrpInstance['authentication']> {
    let type: 'PASS' | 'AH' | undefined
    let password: string | undefined
    let passWord: KeepalivedWord | undefined
    for (const inner of this.block(statement)) {
      const [keyword] = inner.words as [KeepalivedWord]
      if (keyword.text === 'auth_type') {
        const word = this.value(inner, 1)
        if (word.text !== 'PASS' && word.text !== 'AH') fail(`unknown authentication type '${word.text}' (PASS or AH)`, word)
        this.extra(inner, 2)
        type = word.text
      } else if (keyword.text === 'auth_pass') {
        passWord = this.value(inner, 1)
        this.extra(inner, 2)
        password = passWord.text
      } else unknown(keyword, 'in authentication')
    }
    if (type === undefined) fail('authentication without auth_type', statement.words[0]!)
    if (password === undefined) fail('authentication without auth_pass', statement.words[0]!)
    if (new TextEncoder().encode(password).length > 8) {
      this.warn(`auth_pass is ${new TextEncoder().encode(password).length} bytes: keepalived truncates it to 8 ("${truncate8(password)}"), and so does this parser`, passWord!, true)
      password = truncate8(password)
    }
    return { type, password, location: loc(statement.words[0]!) }
  }

  private vip(line: KeepalivedStatement): KeepalivedVip {
    this.flag(line, false, 'a virtual_ipaddress line')
    const [first] = line.words as [KeepalivedWord]
    const slash = first.text.indexOf('/')
    const address = this.address({ ...first, text: slash < 0 ? first.text : first.text.slice(0, slash) })
    const vip: KeepalivedVip = { address, location: loc(first) }
    if (slash >= 0) {
      const length = first.text.slice(slash + 1)
      const max = address.includes(':') ? 128 : 32
      if (!/^\d+$/.test(length) || Number(length) > max) fail(`'${first.text}': prefix length must be 0..${max}`, first)
      vip.prefixLength = Number(length)
    }
    for (let i = 1; i < line.words.length; i += 2) {
      const option = line.words[i]!
      const value = line.words[i + 1]
      const known = ['brd', 'broadcast', 'dev', 'scope', 'label']
      // keepalived skips other option words with "Unknown configuration entry ... ignoring", and --config-test fails.
      if (!known.includes(option.text)) fail(`virtual_ipaddress ${first.text}: unknown option '${option.text}' (brd, dev, scope, label; keepalived rejects it too)`, option)
      if (value === undefined) fail(`virtual_ipaddress ${first.text}: '${option.text}' is missing a value`, option)
      if (option.text === 'brd' || option.text === 'broadcast') vip.broadcast = this.address(value)
      else if (option.text === 'dev') vip.dev = value.text
      else if (option.text === 'scope') vip.scope = value.text
      else vip.label = value.text
    }
    return vip
  }

  private track(line: KeepalivedStatement, min: number, max: number): KeepalivedTrackRef {
    this.flag(line, false, 'a track line')
    const [name] = line.words as [KeepalivedWord]
    const ref: KeepalivedTrackRef = { name: name.text, location: loc(name) }
    const option = line.words[1]
    if (option !== undefined) {
      if (option.text !== 'weight') fail(`track ${name.text}: unknown option '${option.text}' (weight)`, option)
      if (line.words[3]?.text === 'reverse') fail("weight ... reverse is not supported (write the opposite weight and check instead)", line.words[3])
      ref.weight = this.number(line, 2, min, max, true, 'weight')
    }
    return ref
  }

  private virtualServer(statement: KeepalivedStatement): void {
    const addressWord = this.value(statement, 1)
    if (addressWord.text === 'fwmark' || addressWord.text === 'group') fail(`virtual_server ${addressWord.text}: only 'virtual_server IP PORT' is supported`, addressWord)
    const vs: KeepalivedVirtualServer = {
      address: this.address(addressWord),
      port: this.number(statement, 2, 0, 65535, true, 'port', 3),
      realServers: [],
      unused: [],
      location: loc(statement.words[0]!),
    }
    const section = `virtual_server ${vs.address} ${vs.port}`
    for (const inner of this.block(statement)) {
      const [keyword] = inner.words as [KeepalivedWord]
      switch (keyword.text) {
        case 'delay_loop':
          vs.delayLoop = this.number(inner, 1, 0.000001, 86400, false, 'delay_loop')
          break
        case 'lb_algo': {
          const word = this.value(inner, 1)
          if (!LB_ALGOS.has(word.text)) fail(`unknown lb_algo '${word.text}' (${[...LB_ALGOS].join(', ')})`, word)
          this.extra(inner, 2)
          vs.lbAlgo = word.text
          break
        }
        case 'lb_kind': {
          const word = this.value(inner, 1)
          if (!['NAT', 'DR', 'TUN'].includes(word.text)) fail(`unknown lb_kind '${word.text}' (NAT, DR, TUN)`, word)
          this.extra(inner, 2)
          vs.lbKind = word.text
          break
        }
        case 'protocol': {
          const word = this.value(inner, 1)
          if (word.text !== 'TCP' && word.text !== 'UDP' && word.text !== 'SCTP') fail(`unknown protocol '${word.text}' (TCP, UDP, SCTP)`, word)
          this.extra(inner, 2)
          vs.protocol = word.text
          break
        }
        case 'persistence_timeout':
          vs.persistenceTimeout = inner.words.length === 1 ? 360 : this.number(inner, 1, 1, 2 ** 31 - 1, true, 'persistence_timeout')
          break
        case 'real_server':
          vs.realServers.push(this.realServer(inner))
          break
        case 'sorry_server':
          vs.sorryServer = { address: this.address(this.value(inner, 1)), port: this.number(inner, 2, 0, 65535, true, 'port', 3) }
          break
        default: {
          if (!VIRTUAL_SERVER_UNUSED.has(keyword.text)) unknown(keyword, `in ${section}`)
          const entry = unused(section, inner)
          vs.unused.push(entry)
          this.unused.push(entry)
        }
      }
    }
    this.virtualServers.push(vs)
  }

  private realServer(statement: KeepalivedStatement): KeepalivedRealServer {
    const rs: KeepalivedRealServer = {
      address: this.address(this.value(statement, 1)),
      port: this.number(statement, 2, 0, 65535, true, 'port', 3),
      inhibitOnFailure: false,
      checks: [],
      location: loc(statement.words[0]!),
    }
    const section = `real_server ${rs.address} ${rs.port}`
    for (const inner of statement.block ?? []) {
      const [keyword] = inner.words as [KeepalivedWord]
      switch (keyword.text) {
        case 'weight':
          rs.weight = this.number(inner, 1, 0, 65535, true, 'weight')
          break
        case 'inhibit_on_failure':
          this.flag(inner)
          rs.inhibitOnFailure = true
          break
        case 'MISC_CHECK':
          rs.checks.push(this.miscCheck(inner))
          break
        case 'DNS_CHECK':
        case 'TCP_CHECK':
        case 'HTTP_GET':
        case 'SSL_GET':
          rs.checks.push(this.networkCheck(inner))
          break
        default:
          if (!REAL_SERVER_UNUSED.has(keyword.text)) unknown(keyword, `in ${section}`)
          this.unused.push(unused(section, inner))
      }
    }
    return rs
  }

  private miscCheck(statement: KeepalivedStatement): KeepalivedCheck {
    const check: Partial<KeepalivedCheck & { kind: 'misc' }> = { kind: 'misc', dynamic: false, location: loc(statement.words[0]!) }
    for (const inner of this.block(statement)) {
      const [keyword] = inner.words as [KeepalivedWord]
      if (keyword.text === 'misc_path') check.path = this.rest(inner)
      else if (keyword.text === 'misc_timeout') check.timeout = this.number(inner, 1, 0.000001, 86400, false, 'misc_timeout')
      else if (keyword.text === 'misc_dynamic') {
        this.flag(inner)
        check.dynamic = true
      } else if (keyword.text === 'user' || keyword.text === 'warmup') this.unused.push(unused('MISC_CHECK', inner))
      else unknown(keyword, 'in MISC_CHECK')
    }
    if (check.path === undefined) fail('MISC_CHECK without misc_path', statement.words[0]!)
    return check as KeepalivedCheck
  }

  private networkCheck(statement: KeepalivedStatement): KeepalivedCheck {
    const name = statement.words[0]!.text
    const common: KeepalivedCheckCommon = { location: loc(statement.words[0]!) }
    const dns: { type?: string; name?: string } = {}
    const urls: { path: string; statusCode?: number; digest?: string }[] = []
    for (const inner of this.block(statement)) {
      const [keyword] = inner.words as [KeepalivedWord]
      switch (keyword.text) {
        case 'connect_ip':
          common.connectIp = this.address(this.value(inner, 1))
          this.extra(inner, 2)
          break
        case 'connect_port':
          common.connectPort = this.number(inner, 1, 1, 65535, true, 'connect_port')
          break
        case 'connect_timeout':
          common.connectTimeout = this.number(inner, 1, 0.000001, 86400, false, 'connect_timeout')
          break
        case 'retry':
        case 'nb_get_retry':
          common.retry = this.number(inner, 1, 0, 2 ** 31 - 1, true, keyword.text)
          break
        case 'delay_before_retry':
          common.delayBeforeRetry = this.number(inner, 1, 0, 86400, false, 'delay_before_retry')
          break
        case 'type':
          if (name !== 'DNS_CHECK') unknown(keyword, `in ${name}`)
          dns.type = this.value(inner, 1).text.toUpperCase()
          this.extra(inner, 2)
          break
        case 'name':
          if (name !== 'DNS_CHECK') unknown(keyword, `in ${name}`)
          dns.name = this.value(inner, 1).text
          this.extra(inner, 2)
          break
        case 'url':
          if (name !== 'HTTP_GET' && name !== 'SSL_GET') unknown(keyword, `in ${name}`)
          urls.push(this.url(inner))
          break
        case 'bindto':
        case 'bind_port':
        case 'bind_if':
        case 'warmup':
        case 'fwmark':
        case 'virtualhost':
        case 'http_protocol':
        case 'source_ip':
          this.unused.push(unused(name, inner))
          break
        default:
          unknown(keyword, `in ${name}`)
      }
    }
    if (name === 'DNS_CHECK') return { kind: 'dns', ...common, ...dns }
    if (name === 'TCP_CHECK') return { kind: 'tcp', ...common }
    if (urls.length === 0) fail(`${name} without a url { path ... }`, statement.words[0]!)
    return { kind: 'http', tls: name === 'SSL_GET', urls, ...common }
  }

  private url(statement: KeepalivedStatement): { path: string; statusCode?: number; digest?: string } {
    const url: { path?: string; statusCode?: number; digest?: string } = {}
    for (const inner of this.block(statement)) {
      const [keyword] = inner.words as [KeepalivedWord]
      if (keyword.text === 'path') url.path = this.value(inner, 1).text
      else if (keyword.text === 'status_code') url.statusCode = this.number(inner, 1, 100, 599, true, 'status_code')
      else if (keyword.text === 'digest') url.digest = this.value(inner, 1).text
      else if (keyword.text === 'virtualhost' || keyword.text === 'regex' || keyword.text === 'regex_no_match') this.unused.push(unused('url', inner))
      else unknown(keyword, 'in url')
    }
    if (url.path === undefined) fail('url without path', statement.words[0]!)
    return url as { path: string }
  }

  // --- helpers -------------------------------------------------------------------------------

  private warn(message: string, at: KeepalivedLocation, configTestFails: boolean): void {
    this.warnings.push({ ...loc(at), message, configTestFails })
  }

  /** The block of a keyword that needs one. */
  private block(statement: KeepalivedStatement): KeepalivedStatement[] {
    if (statement.block === undefined) fail(`${statement.words[0]!.text} needs a { } block`, statement.words[0]!)
    return statement.block
  }

  /** A keyword without values (`nopreempt`) or, with `block`, one whose values are its block. */
  private flag(statement: KeepalivedStatement, block = false, what?: string): void {
    const keyword = statement.words[0]!
    if (!block && statement.block !== undefined) fail(`${what ?? keyword.text} takes no { } block`, keyword)
    if (what === undefined) this.extra(statement, 1)
  }

  /** The word at `index`, or "missing a value" just after the last word. */
  private value(statement: KeepalivedStatement, index: number): KeepalivedWord {
    const word = statement.words[index]
    if (word === undefined) {
      const last = statement.words[statement.words.length - 1]!
      fail(`${statement.words[0]!.text} is missing a value`, { ...last, column: last.column + last.text.length + (last.quoted ? 2 : 0) })
    }
    return word
  }

  /** The words from 1 on, as one string (script lines: keepalived re-splits them itself). */
  private rest(statement: KeepalivedStatement): string {
    this.value(statement, 1)
    return statement.words
      .slice(1)
      .map((w) => (w.quoted && /\s/.test(w.text) && statement.words.length > 2 ? `"${w.text}"` : w.text))
      .join(' ')
  }

  /** Words past `count` are ignored by keepalived without a word; we say so. */
  private extra(statement: KeepalivedStatement, count: number): void {
    const first = statement.words[count]
    if (first === undefined) return
    const words = statement.words.slice(count).map((w) => w.text).join(' ')
    this.warn(`${statement.words[0]!.text}: extra words ignored ('${words}'; keepalived ignores them silently)`, first, false)
  }

  private number(statement: KeepalivedStatement, index: number, min: number, max: number, integer: boolean, what?: string, wordsUsed = index + 1): number {
    const word = this.value(statement, index)
    const name = what ?? statement.words[0]!.text
    const pattern = integer ? /^[-+]?\d+$/ : /^[-+]?(\d+(\.\d*)?|\.\d+)$/
    if (!pattern.test(word.text)) fail(`${name}: invalid number '${word.text}'${integer ? ' (a whole number)' : ''}`, word)
    const value = Number(word.text)
    if (value < min || value > max) fail(`${name} ${word.text} is outside ${min}..${max}`, word)
    this.extra(statement, wordsUsed)
    return value
  }

  private address(word: KeepalivedWord): string {
    if (addressBytes(word.text) === undefined) fail(`'${word.text}' is not an IP address`, word)
    return word.text
  }

  private sameFamily(vips: KeepalivedVip[], what: string): void {
    const family = vips[0]?.address.includes(':')
    for (const vip of vips) {
      if (vip.address.includes(':') !== family) fail(`${what} ${vip.address}: address family must match the instance's first address ${vips[0]!.address} (use virtual_ipaddress_excluded for the other family)`, vip.location)
    }
  }
}

function fail(reason: string, at: KeepalivedLocation): never {
  throw new ConfigSyntaxError(reason, { file: at.file, line: at.line, column: at.column }, { code: 'ERR_VRRP_CONFIG' })
}

function unknown(keyword: KeepalivedWord, where: string): never {
  fail(`unknown keyword '${keyword.text}' ${where}`, keyword)
}

function unused(section: string, statement: KeepalivedStatement): KeepalivedUnused {
  const [keyword, ...args] = statement.words as [KeepalivedWord, ...KeepalivedWord[]]
  return { ...loc(keyword), section, keyword: keyword.text, args: args.map((w) => w.text) }
}

function loc(at: KeepalivedLocation): KeepalivedLocation {
  return { file: at.file, line: at.line, column: at.column }
}

function family(instance: KeepalivedVrrpInstance): 'IPv4' | 'IPv6' {
  return instance.virtualIpaddresses[0]?.address.includes(':') === true ? 'IPv6' : 'IPv4'
}

function truncate8(password: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(password).slice(0, 8))
}
