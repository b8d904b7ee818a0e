/**
 * BIND, NSD and Knot as secondaries of a primary on 127.0.0.1 (our Authority in the transfer
 * interop tests): their configuration, and starting one on a free loopback port. Built on
 * peers.ts (ports, stopping, SOA polling). Each zone names its primary's port and, optionally,
 * the TSIG key the secondary signs its transfer requests with and expects on NOTIFY.
 *
 * Facts these configurations encode (measured on this machine): NSD needs `allow-notify` and
 * `request-xfr` per zone and writes transferred zones to disk only hourly (query it, don't read
 * its files); BIND accepts NOTIFY from its primaries' addresses whatever the source port; Knot 3.2
 * spells a primary `master`.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dnsPacket from 'dns-packet'
import { freeLoopbackPort } from '../../src/testing/free-port.js'
import { udpAsk } from '../integration/udp-ask.js'
import { knotServerSections, nsdServerSections, stopPeer } from './peers.js'

/** A TSIG key as the peers' configurations write it. */
export interface PeerKey {
  name: string
  algorithm: 'hmac-sha256'
  secret: string
}

/** One zone the secondary follows. */
export interface SecondaryZoneSetup {
  /** Without the trailing dot. */
  name: string
  /** The primary's port on 127.0.0.1. */
  primaryPort: number
  /** The key the secondary signs SOA/IXFR/AXFR requests with, and accepts NOTIFY signed by. */
  key?: PeerKey
}

export type SecondaryKind = 'bind' | 'nsd' | 'knot'

/** named.conf for a secondary: no recursion, no NOTIFY of its own, every file under `dir`. */
export function namedSecondaryConf(port: number, dir: string, zones: readonly SecondaryZoneSetup[]): string {
  const keys = uniqueKeys(zones)
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${dir}/named.pid";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  notify no;',
    '  dnssec-validation no;',
    '  min-refresh-time 300;',
    '  min-retry-time 300;',
    '};',
    'controls { };',
    ...keys.map((k) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };`),
    ...zones.map(
      (z) =>
        `zone "${z.name}" { type secondary; file "${z.name}.bind.db"; primaries port ${z.primaryPort} { 127.0.0.1${z.key ? ` key "${z.key.name}"` : ''}; }; allow-notify { 127.0.0.1; }; };`,
    ),
    '',
  ].join('\n')
}

/** nsd.conf for a secondary (as peers.ts's nsdConf, plus `request-xfr` and `allow-notify` per zone). */
export function nsdSecondaryConf(port: number, dir: string, zones: readonly SecondaryZoneSetup[]): string {
  return [
    ...nsdServerSections(port, dir, '', 2),
    ...uniqueKeys(zones).flatMap((k) => ['key:', `  name: ${k.name}`, `  algorithm: ${k.algorithm}`, `  secret: "${k.secret}"`]),
    ...zones.flatMap((z) => [
      'zone:',
      `  name: ${z.name}`,
      `  zonefile: "${z.name}.nsd.db"`,
      `  allow-notify: 127.0.0.1 ${z.key ? z.key.name : 'NOKEY'}`,
      `  request-xfr: 127.0.0.1@${z.primaryPort} ${z.key ? z.key.name : 'NOKEY'}`,
    ]),
    '',
  ].join('\n')
}

/** knot.conf for a secondary: one remote and one NOTIFY acl per zone, zone files never written. */
export function knotSecondaryConf(port: number, dir: string, zones: readonly SecondaryZoneSetup[]): string {
  return [
    ...knotServerSections(port, dir, 'info'),
    ...(uniqueKeys(zones).length > 0 ? ['key:', ...uniqueKeys(zones).flatMap((k) => [`  - id: ${k.name}`, `    algorithm: ${k.algorithm}`, `    secret: ${k.secret}`])] : []),
    'remote:',
    ...zones.flatMap((z, i) => [`  - id: primary${i}`, `    address: 127.0.0.1@${z.primaryPort}`, ...(z.key ? [`    key: ${z.key.name}`] : [])]),
    'acl:',
    ...zones.flatMap((z, i) => [`  - id: notify${i}`, '    address: 127.0.0.1', ...(z.key ? [`    key: ${z.key.name}`] : []), '    action: notify']),
    'zone:',
    ...zones.flatMap((z, i) => [
      `  - domain: ${z.name}.`,
      `    file: "${dir}/${z.name}.knot.db"`,
      `    storage: "${dir}"`,
      `    master: primary${i}`,
      `    acl: notify${i}`,
      '    zonefile-sync: -1',
      '    zonefile-load: none',
      '    journal-content: changes',
    ]),
    '',
  ].join('\n')
}

/** A decoded answer, with the rcode dns-packet sets. */
export type PeerAnswer = ReturnType<typeof dnsPacket.decode> & { rcode?: string }

/** A secondary started by {@link startSecondary}. */
export interface RunningSecondary {
  child: ChildProcess
  port: number
  kind: SecondaryKind
  /** What it printed (BIND and Knot log to stderr). */
  log: () => string
}

/**
 * Starts a BIND, NSD or Knot secondary of `zones` in `dir` on `port` (when the primary must know
 * it beforehand, for NOTIFY; one try) or on a free loopback port (three tries), and resolves once
 * it answers a query at all (its zones may still be transferring).
 */
export async function startSecondary(kind: SecondaryKind, dir: string, zones: readonly SecondaryZoneSetup[], fixedPort?: number): Promise<RunningSecondary> {
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freeLoopbackPort())
    const conf = join(dir, `${kind}.conf`)
    const text = kind === 'bind' ? namedSecondaryConf(port, dir, zones) : kind === 'nsd' ? nsdSecondaryConf(port, dir, zones) : knotSecondaryConf(port, dir, zones)
    writeFileSync(conf, text)
    const args = kind === 'bind' ? ['-g', '-c', conf] : kind === 'nsd' ? ['-c', conf, '-d'] : ['-c', conf]
    const child = spawn(kind === 'bind' ? 'named' : kind === 'nsd' ? 'nsd' : 'knotd', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
    if (await answersAtAll(port, 8000, () => child.exitCode === null)) return { child, port, kind, log: () => output }
    await stopPeer(child)
    if (attempt >= 3 || fixedPort !== undefined) throw new Error(`${kind} did not start on 127.0.0.1:${port}: ${output}`)
  }
}

/** The answer `port` gives for `name`/`type` over UDP (decoded), or `undefined` on no answer. */
export async function askPeer(port: number, name: string, type: string): Promise<PeerAnswer | undefined> {
  try {
    const reply = await udpAsk('127.0.0.1', port, dnsPacket.encode({ type: 'query', id: 9, questions: [{ name, type: type as never }] }), 300)
    return dnsPacket.decode(reply) as PeerAnswer
  } catch {
    return undefined
  }
}

/** Polls until `test` passes on the peer's answer or `timeoutMs` passes; resolves with the ms it took, or `undefined`. */
export async function waitForAnswer(port: number, name: string, type: string, test: (answer: PeerAnswer) => boolean, timeoutMs: number): Promise<number | undefined> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    const answer = await askPeer(port, name, type)
    if (answer && test(answer)) return Date.now() - start
    await new Promise((r) => setTimeout(r, 10))
  }
  return undefined
}

async function answersAtAll(port: number, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && alive()) {
    if ((await askPeer(port, 'version.bind.', 'TXT')) !== undefined) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

function uniqueKeys(zones: readonly SecondaryZoneSetup[]): PeerKey[] {
  const byName = new Map<string, PeerKey>()
  for (const z of zones) if (z.key) byName.set(z.key.name, z.key)
  return [...byName.values()]
}
