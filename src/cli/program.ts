/**
 * The `dns-ha` command: one program, a subcommand per way of running the library, parsed by
 * commander (help, `--version`, unknown flags and missing arguments reported the standard way).
 * Each subcommand starts a service and serves until a signal; a failure is one line on stderr
 * and an exit status from {@link EXIT}.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { DnsHaError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { errorLine, EXIT, exitCodeFor } from './exit-codes.js'
import { startDemo } from './demo-command.js'
import { startBindLvsExample } from './bind-lvs-command.js'
import type { KeySource } from './demo-command.js'
import { startDnsmasq } from './dnsmasq-command.js'
import { startPool } from './pool-command.js'
import { startServe } from './serve-command.js'
import { startVrrp } from './vrrp-command.js'
import { parseMetricsEndpoint, withMetrics } from './metrics-option.js'
import type { MetricsEndpoint } from './metrics-option.js'
import { startNetnsCommand, startNetnsNodeCommand } from './netns-command.js'
import { startSplitHorizonExample } from './split-horizon-command.js'
import type { CliIo, RunningService, SignalSource } from './service.js'
import { serveUntilSignal } from './service.js'
import { parseZoneArgument } from './zone-argument.js'
import { addLogOptions, cliLoggers } from './log-options.js'
import type { LogFlags } from './log-options.js'
import type { ZoneArgument } from './zone-argument.js'

/** What the program runs against: the process in the real command, fakes in tests. */
export interface CliEnvironment {
  io: CliIo
  signals: SignalSource
  version: string
  /** Key presses, when the command runs in a terminal (the demo's f key). */
  keys?: KeySource
  /** The command that runs this program (`example --netns` starts its node processes with it). */
  selfCommand?: readonly string[]
}

/** Runs the command line (`argv` without node and the script) and resolves with the exit status. */
export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let started: Promise<RunningService> | undefined
  const program = buildProgram(env, (start) => {
    started = start
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    env.io.err(`dns-ha: ${errorLine(error)}`)
    return exitCodeFor(error)
  }
  if (!started) return EXIT.ok
  let service: RunningService
  try {
    service = await started
  } catch (error) {
    env.io.err(`dns-ha: ${errorLine(error)}`)
    return exitCodeFor(error)
  }
  await serveUntilSignal(service, env.signals, env.io)
  return EXIT.ok
}

type Launch = (start: Promise<RunningService>) => void

/** The topologies `dns-ha example` runs. */
const EXAMPLES = ['dnsmasq-nginx-keepalived', 'bind-lvs-keepalived', 'split-horizon']

function buildProgram(env: CliEnvironment, launch: Launch): Command {
  const program = new Command('dns-ha')
    .description('DNS high-availability building blocks: run an authority, a dnsmasq configuration or an nginx stream pool.')
    .version(env.version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => env.io.out(s.trimEnd()), writeErr: (s) => env.io.err(s.trimEnd()) })
  const engine = new Option('--engine <engine>', 'datagram engine: dgram, batched (recvmmsg/sendmmsg, Linux + koffi) or auto').choices(['dgram', 'batched', 'auto']).default('dgram')

  const serve = program
    .command('serve')
    .description('serve zones from master files (SIGHUP reloads them, as rndc reload)')
    .requiredOption('-z, --zone <file[:origin]>', 'a zone file, with its origin unless the file name spells it (repeatable)', collectZone)
    .option('-a, --address <ip>', 'address to listen on (repeatable)', collect, [])
    .option('-p, --port <port>', 'port to listen on', port, 53)
    .addOption(engine)
    .option('--metrics <address:port>', 'serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9153)', parseMetricsEndpoint)
  addLogOptions(serve, { queryLog: true })
    .exitOverride()
    .action((opts: { zone: ZoneArgument[]; address: string[]; port: number; engine: 'dgram' | 'batched' | 'auto'; metrics?: MetricsEndpoint } & LogFlags) => {
      launch(withMetrics(startServe({ zones: opts.zone, addresses: opts.address.length > 0 ? opts.address : ['127.0.0.1'], port: opts.port, engine: opts.engine, ...logSettings(opts, env) }, env.io), opts.metrics, env.io))
    })

  const dnsmasq = program
    .command('dnsmasq')
    .description("run a dnsmasq.conf's DNS side: forwarder, hosts overlay, local records (SIGHUP re-reads hosts and resolv files)")
    .requiredOption('-C, --conf-file <file>', 'the dnsmasq configuration file')
    .option('-p, --port <port>', "port to listen on (default: the file's port, else 53)", port)
    .option('-a, --listen-address <ip>', "address to listen on, instead of the file's listen-address lines (repeatable)", collect, [])
    .addOption(engine)
    .option('--metrics <address:port>', 'serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9153)', parseMetricsEndpoint)
  addLogOptions(dnsmasq, { queryLog: true })
    .exitOverride()
    .action((opts: { confFile: string; port?: number; listenAddress: string[]; engine: 'dgram' | 'batched' | 'auto'; metrics?: MetricsEndpoint } & LogFlags) => {
      launch(
        withMetrics(
          startDnsmasq(
            { config: opts.confFile, ...(opts.port === undefined ? {} : { port: opts.port }), ...(opts.listenAddress.length > 0 ? { addresses: opts.listenAddress } : {}), engine: opts.engine, ...logSettings(opts, env) },
            env.io,
          ),
          opts.metrics,
          env.io,
        ),
      )
    })

  const pool = program
    .command('pool')
    .description('run the stream { } servers of an nginx configuration as UDP/TCP proxy pools')
    .requiredOption('--nginx <file>', 'nginx.conf, or a file holding the stream { } block')
    .option('-a, --address <ip>', "listen on this address instead of the file's")
    .option('-p, --port <port>', "listen on this port instead of the file's (one server only)", port)
    .option('--metrics <address:port>', 'serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9153)', parseMetricsEndpoint)
  addLogOptions(pool, { queryLog: false })
    .exitOverride()
    .action((opts: { nginx: string; address?: string; port?: number; metrics?: MetricsEndpoint } & LogFlags) => {
      launch(withMetrics(startPool({ nginx: opts.nginx, ...(opts.address === undefined ? {} : { address: opts.address }), ...(opts.port === undefined ? {} : { port: opts.port }), logger: logSettings(opts, env).logger }, env.io), opts.metrics, env.io))
    })

  const vrrp = program
    .command('vrrp')
    .description("run a keepalived.conf's vrrp_instances: raw VRRP on their interfaces, real VIPs, vrrp_scripts and notify scripts (root)")
    .requiredOption('-f, --config <file>', 'keepalived.conf (keepalived -f)')
    .option('-t, --check', 'check the file and print what would run, as keepalived --config-test (no root needed)')
    .option('--metrics <address:port>', 'serve Prometheus metrics of the routers and checks at http://ADDRESS:PORT/metrics', parseMetricsEndpoint)
  addLogOptions(vrrp, { queryLog: false })
    .exitOverride()
    .action((opts: { config: string; check?: boolean; metrics?: MetricsEndpoint } & LogFlags) => {
      launch(withMetrics(startVrrp({ config: opts.config, check: opts.check === true, logger: logSettings(opts, env).logger }, env.io), opts.metrics, env.io))
    })

  program
    .command('example')
    .description('run one of the reference topologies on loopback, or with --netns in network namespaces as root (see docs/topology.md)')
    .argument('<name>', 'dnsmasq-nginx-keepalived: two forwarders, two nginx-style pools, a VRRP pair and a VIP; bind-lvs-keepalived: a primary with an HTTP API, two secondaries (NOTIFY + IXFR), two LVS-style directors with health checks, a VRRP pair and a VIP; split-horizon: one authority with internal/external views behind a pool with ECS')
    .option('-p, --port <port>', 'where clients reach the VIP', port, 5300)
    .option('--advert-ms <ms>', 'keepalived advert_int in ms', positive, 1000)
    .option('--netns', 'run in network namespaces (root): each node its own namespace, a real VIP moved by VRRP, a client namespace')
    .option('--metrics <address:port>', 'serve Prometheus metrics of every node at http://ADDRESS:PORT/metrics (not with --netns)', parseMetricsEndpoint)
    .exitOverride()
    .action((name: string, opts: { port: number; advertMs: number; netns?: boolean; metrics?: MetricsEndpoint }) => {
      if (!EXAMPLES.includes(name)) throw new DnsHaError('ERR_USAGE', `no example named ${name}; there is ${EXAMPLES.join(', ')}`)
      if (opts.netns === true && opts.metrics !== undefined) throw new DnsHaError('ERR_USAGE', '--metrics is not available with --netns (each node runs in its own process)')
      if (opts.netns === true) return launch(startNetnsCommand({ example: name, advertMs: opts.advertMs, selfCommand: env.selfCommand }, env.io))
      if (name === 'split-horizon') return launch(withMetrics(startSplitHorizonExample({ port: opts.port }, env.io), opts.metrics, env.io))
      if (name === 'bind-lvs-keepalived') return launch(withMetrics(startBindLvsExample({ port: opts.port, advertMs: opts.advertMs }, env.io), opts.metrics, env.io))
      launch(withMetrics(startDemo({ port: opts.port, failover: false, advertMs: opts.advertMs, rate: 200, timeline: 'dns-ha-failover.html', exitAfter: false }, env.io, env.keys), opts.metrics, env.io))
    })

  program
    .command('demo')
    .description('the double-active internal DNS (dnsmasq + nginx stream + keepalived) on loopback, with a live failover')
    .option('-p, --port <port>', 'where clients reach the VIP', port, 5300)
    .option('--failover', 'kill the master under load at once, then restore it (otherwise: press f)')
    .option('--advert-ms <ms>', 'keepalived advert_int in ms (1000 as the seed; below a second VRRPv3 is used)', positive, 1000)
    .option('--rate <qps>', 'queries a second during the failover', positive, 200)
    .option('--timeline <file>', 'where the failover timeline (HTML) is written', 'dns-ha-failover.html')
    .option('--exit', 'stop once the failover run is written')
    .option('--metrics <address:port>', 'serve Prometheus metrics of both nodes at http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9153)', parseMetricsEndpoint)
    .exitOverride()
    .action((opts: { port: number; failover?: boolean; advertMs: number; rate: number; timeline: string; exit?: boolean; metrics?: MetricsEndpoint }) => {
      launch(withMetrics(startDemo({ port: opts.port, failover: opts.failover === true, advertMs: opts.advertMs, rate: opts.rate, timeline: opts.timeline, exitAfter: opts.exit === true }, env.io, env.keys), opts.metrics, env.io))
    })

  // The node side of `example --netns`: each namespace's process runs one role (hidden: not for people).
  program
    .command('netns-node', { hidden: true })
    .description('run one node role of a namespace example inside the current namespace (started by example --netns)')
    .argument('<spec>', 'the node spec as JSON')
    .exitOverride()
    .action((spec: string) => {
      launch(startNetnsNodeCommand(spec, env.io))
    })

  return program
}

/** The `logger` (and `queryLog`) settings of a command from its log flags. */
function logSettings(flags: LogFlags, env: CliEnvironment): { logger: Logger; queryLog?: Logger } {
  const { logger, queryLog } = cliLoggers(flags, env.io)
  return queryLog === undefined ? { logger } : { logger, queryLog }
}

function positive(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`not a positive whole number: ${value}`)
  return n
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function collectZone(value: string, previous: ZoneArgument[] | undefined): ZoneArgument[] {
  try {
    return [...(previous ?? []), parseZoneArgument(value)]
  } catch (error) {
    throw new InvalidArgumentError(errorLine(error))
  }
}

function port(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`not a port number (0-65535): ${value}`)
  return n
}
