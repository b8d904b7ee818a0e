/**
 * Authoritative peers (NSD, Knot) for differential tests and the authority benchmark: their
 * configuration for one process on 127.0.0.1 and a given port, and, for tests, starting one and
 * waiting until it answers. Debian's NSD rate-limits answers by default: `rrl-ratelimit: 0`.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dnsPacket from 'dns-packet'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import { udpAsk } from '../integration/udp-ask.js'

/** A zone a peer serves: its name without the trailing dot, and its file (absolute, or relative to the peer's directory). */
export interface PeerZone {
  name: string
  file: string
}

/** Where a peer listens and keeps its state; `tag` keeps several instances apart in one directory. */
export interface PeerSetup {
  port: number
  dir: string
  zones: readonly PeerZone[]
  tag?: string
}

/** The server and remote-control sections of a one-process nsd.conf: no rate limiting, no remote control, everything under `dir` (`tag` keeps instances apart). */
export function nsdServerSections(port: number, dir: string, tag: string, verbosity: number): string[] {
  return [
    'server:',
    '  ip-address: 127.0.0.1',
    `  port: ${port}`,
    '  server-count: 1',
    '  rrl-ratelimit: 0',
    `  zonesdir: "${dir}"`,
    `  pidfile: "${dir}/nsd${tag}.pid"`,
    '  username: ""',
    '  chroot: ""',
    '  database: ""',
    `  xfrdfile: "${dir}/xfrd${tag}.state"`,
    `  zonelistfile: "${dir}/zone${tag}.list"`,
    `  logfile: "${dir}/nsd${tag}.log"`,
    `  verbosity: ${verbosity}`,
    'remote-control:',
    '  control-enable: no',
  ]
}

/** nsd.conf for one server process, no rate limiting, no remote control, everything under `dir`. */
export function nsdConf({ port, dir, zones, tag = '' }: PeerSetup): string {
  return [
    ...nsdServerSections(port, dir, tag, 0),
    ...zones.flatMap((z) => ['zone:', `  name: ${z.name}`, `  zonefile: "${z.file}"`]),
    '',
  ].join('\n')
}

/** knot.conf for one UDP and one TCP worker, zone files never written back, everything under `dir`. */
export function knotConf({ port, dir, zones }: PeerSetup): string {
  return [
    ...knotServerSections(port, dir, 'error'),
    'zone:',
    ...zones.flatMap((z) => [`  - domain: ${z.name}.`, `    file: "${z.file}"`, `    storage: "${dir}"`, '    zonefile-sync: -1', '    journal-content: none']),
    '',
  ].join('\n')
}

/** The server, log, database and control sections of a one-worker knot.conf with everything under `dir`. */
export function knotServerSections(port: number, dir: string, logLevel: 'error' | 'info'): string[] {
  return [
    'server:',
    `  listen: 127.0.0.1@${port}`,
    `  rundir: "${dir}"`,
    '  udp-workers: 1',
    '  tcp-workers: 1',
    '  background-workers: 1',
    'log:',
    '  - target: stderr',
    `    any: ${logLevel}`,
    'database:',
    `  storage: "${dir}"`,
    'control:',
    `  listen: "${dir}/knot.sock"`,
  ]
}

/**
 * The `options { }` block of a named.conf for one test or bench instance: everything under `dir`,
 * 127.0.0.1 on `port` only, no recursion, no DNSSEC validation; `extra` lines go inside the block.
 */
export function namedOptions(dir: string, port: number, extra: readonly string[] = []): string[] {
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${dir}/named.pid";`,
    `  session-keyfile "${dir}/session.key";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    ...extra,
    '};',
  ]
}

/** A peer started by {@link startPeer}. */
export interface RunningPeer {
  child: ChildProcess
  port: number
}

/**
 * Starts NSD or Knot on a free loopback port serving `zones` from `dir`, and resolves once it
 * answers the first zone's SOA. Another process may take the port between our check and the
 * peer's bind: the peer then exits, and a new port is tried (three times at most).
 */
export async function startPeer(kind: 'nsd' | 'knot', dir: string, zones: readonly PeerZone[]): Promise<RunningPeer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort()
    const conf = join(dir, `${kind}.conf`)
    writeFileSync(conf, kind === 'nsd' ? nsdConf({ port, dir, zones }) : knotConf({ port, dir, zones }))
    const child = kind === 'nsd' ? spawn('nsd', ['-c', conf, '-d'], { stdio: 'ignore' }) : spawn('knotd', ['-c', conf], { stdio: 'ignore' })
    if (await waitForSoa(port, `${zones[0]!.name}.`, 8000, () => child.exitCode === null)) return { child, port }
    await stopPeer(child)
    if (attempt >= 3) throw new Error(`${kind} did not answer on 127.0.0.1:${port}`)
  }
}

/**
 * Stops a peer daemon: SIGTERM if it still runs, then waits (at most 5 s, then SIGKILL) for it
 * to exit. Never throws, so an afterAll cannot fail on a peer that already died (process.kill on
 * a gone pid throws ESRCH).
 */
export async function stopPeer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/**
 * Polls 127.0.0.1:`port` for a NOERROR answer to `origin`'s SOA until `timeoutMs` passes or
 * `alive()` turns false; resolves whether it got one.
 */
export async function waitForSoa(port: number, origin: string, timeoutMs: number, alive: () => boolean = () => true): Promise<boolean> {
  const probe = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: origin, type: 'SOA' }] })
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && alive()) {
    try {
      const reply = await udpAsk('127.0.0.1', port, probe, 300)
      if ((reply[3]! & 0xf) === 0) return true
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return false
}

/** What {@link namedPrimaryConf} needs: BIND as a primary for zones our secondary follows. */
export interface NamedPrimarySetup extends PeerSetup {
  /** Where BIND sends NOTIFY (`also-notify`, with `notify explicit` and `notify-delay 0`). */
  notify: { address: string; port: number }[]
  /** A TSIG key transfers must be signed with (`allow-transfer { key name; }`); without it, anyone may transfer. */
  key?: { name: string; algorithm: string; secret: string }
}

/**
 * named.conf for BIND as a primary on 127.0.0.1:`port`: NOTIFY at once to the listed targets
 * only, IXFR from the differences between zone file versions (`ixfr-from-differences`), transfers
 * only with the key when one is given, everything under `dir`.
 */
export function namedPrimaryConf({ port, dir, zones, notify, key }: NamedPrimarySetup): string {
  return [
    ...(key ? [`key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };`] : []),
    ...namedOptions(dir, port, [
      '  notify explicit;',
      '  notify-delay 0;',
      `  also-notify { ${notify.map((n) => `${n.address} port ${n.port};`).join(' ')} };`,
      '  ixfr-from-differences yes;',
      `  allow-transfer { ${key ? `key ${key.name};` : 'any;'} };`,
    ]),
    ...zones.map((z) => `zone "${z.name}" { type primary; file "${z.file}"; };`),
    '',
  ].join('\n')
}

/** Starts named in the foreground with `conf` (a file under `dir`); resolves once it answers `origin`'s SOA on `port`. */
export async function startNamed(conf: string, port: number, origin: string): Promise<ChildProcess> {
  const child = spawn('named', ['-g', '-c', conf], { stdio: 'ignore' })
  if (!(await waitForSoa(port, origin, 10_000, () => child.exitCode === null))) {
    await stopPeer(child)
    throw new Error(`named did not answer on 127.0.0.1:${port}`)
  }
  return child
}
