// A two-host lab in network namespaces for the VRRP tests: two namespaces joined by a veth
// pair on a /24 of 10.x chosen per run, and VRRP speakers started inside them (a dns-ha router
// through test/vrrp/fixtures/run-router.ts, or keepalived in the foreground). Everything started
// here is killed, and the namespaces deleted, by lab.destroy() (and on process exit).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { netnsUnavailable } from '../support/netns.js'

const exec = promisify(execFile)

/** Why the namespace tests cannot run here, or undefined when they can. */
export function labUnavailable(): string | undefined {
  return netnsUnavailable('netns', 'koffi')
}

export const haveKeepalived = (): boolean => spawnSync('keepalived', ['--version']).error === undefined

export interface Host {
  ns: string
  dev: string
  address: string
}

export interface Speaker {
  /** What runs: "dns-ha" or "keepalived". */
  kind: string
  /** When the process was spawned (epoch ms). */
  spawnedAt: number
  /** Last advert from a live master this speaker accepted (dns-ha only; 0 when unknown). */
  lastHeard(): number
  /** When the VRRP router left Initialize (dns-ha only, after Node and tsx have loaded; 0 when unknown). */
  readyAt(): number
  /** SIGTERM (a clean stop: priority 0) and wait for the exit. */
  stop(): Promise<void>
  /** SIGKILL, no goodbye; returns when it was sent. */
  crash(): Promise<number>
  /** Output so far, for a failure message. */
  output(): string
}

export interface SpeakerOptions {
  vrid: number
  priority: number
  version: 2 | 3
  advertIntervalMs: number
  vip: string
  password?: string
  /** dns-ha only: a generic `notify` command line to attach. */
  notify?: string
}

/** The IPv6 VIP of the IPv6 tests (a ULA /128, as an operator would give). */
export const VIP6 = 'fd00:dead::1'

const ALL: Lab[] = []
process.once('exit', () => {
  for (const lab of ALL) lab.destroySync()
})

export class Lab {
  readonly a: Host
  readonly b: Host
  readonly vrid: number
  private readonly children = new Set<ChildProcess>()
  private readonly dir = mkdtempSync(join(tmpdir(), 'dnsha-vrrp-'))
  private count = 0

  private constructor(readonly id: string, net: number) {
    this.a = { ns: `dnsha-${id}-a`, dev: 'vrrpa', address: `10.${net >> 8}.${net & 0xff}.1` }
    this.b = { ns: `dnsha-${id}-b`, dev: 'vrrpb', address: `10.${net >> 8}.${net & 0xff}.2` }
    this.vrid = 1 + ((process.pid + net) % 254)
  }

  /** 10.<x>.<y>.0/24 unique per run (namespaces isolate it anyway), the VIP is .100. */
  get vip(): string {
    return this.a.address.replace(/\.1$/, '.100')
  }

  static async create(): Promise<Lab> {
    const id = `${process.pid}-${Math.floor(Math.random() * 1e6)}`
    const net = 0x1400 + Math.floor(Math.random() * 0xd000) // 10.20.0.0 .. 10.228.x
    const lab = new Lab(id, net)
    ALL.push(lab)
    const ip = (...args: string[]) => exec('ip', args, { timeout: 10_000 })
    try {
      await ip('netns', 'add', lab.a.ns)
      await ip('netns', 'add', lab.b.ns)
      await ip('link', 'add', lab.a.dev, 'netns', lab.a.ns, 'type', 'veth', 'peer', 'name', lab.b.dev, 'netns', lab.b.ns)
      for (const h of [lab.a, lab.b]) {
        // No duplicate address detection: the link-local address (and a VIP) is usable at once.
        for (const conf of ['all', 'default', h.dev]) await exec('ip', ['netns', 'exec', h.ns, 'sysctl', '-qw', `net.ipv6.conf.${conf}.accept_dad=0`], { timeout: 10_000 })
        await ip('-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', h.dev)
        await ip('-n', h.ns, 'link', 'set', 'lo', 'up')
        await ip('-n', h.ns, 'link', 'set', h.dev, 'up')
      }
    } catch (error) {
      lab.destroySync()
      throw error
    }
    return lab
  }

  /** The link-local address of `host`'s veth (read when asked; DAD is off, so it is there once the link is up). */
  async linkLocal(host: Host): Promise<string> {
    const { stdout } = await exec('ip', ['-n', host.ns, '-j', '-6', 'addr', 'show', 'dev', host.dev, 'scope', 'link'], { timeout: 5000 })
    const links = JSON.parse(stdout) as { addr_info: { local: string }[] }[]
    const found = links.flatMap((l) => l.addr_info).find((a) => a.local.startsWith('fe80'))
    if (!found) throw new Error(`${host.ns}: no link-local address on ${host.dev}`)
    return found.local
  }

  /** Which hosts hold `vip` now (`ip -n NS -j -4|-6 addr`). */
  async holders(vip: string): Promise<('a' | 'b')[]> {
    const out: ('a' | 'b')[] = []
    for (const [name, h] of [['a', this.a], ['b', this.b]] as const) {
      const { stdout } = await exec('ip', ['-n', h.ns, '-j', vip.includes(':') ? '-6' : '-4', 'addr', 'show', 'dev', h.dev], { timeout: 5000 })
      const links = JSON.parse(stdout) as { addr_info: { local: string }[] }[]
      if (links.some((l) => l.addr_info.some((a) => a.local === vip))) out.push(name)
    }
    return out
  }

  /**
   * Polls until the VIP is held by exactly `want` (or, with `atLeast`, by every host of `want`
   * whoever else holds it); returns the epoch ms it was first seen so.
   */
  async waitHolders(vip: string, want: ('a' | 'b')[], timeoutMs: number, what: string, speakers: Speaker[] = [], atLeast = false): Promise<number> {
    const end = Date.now() + timeoutMs
    let last: string[] = []
    while (Date.now() < end) {
      last = await this.holders(vip)
      if (atLeast ? want.every((h) => last.includes(h)) : last.join() === want.join()) return Date.now()
      await new Promise((r) => setTimeout(r, 15))
    }
    throw new Error(`${what}: VIP ${vip} held by [${last.join(',')}], wanted [${want.join(',')}] within ${timeoutMs} ms\n${speakers.map((s) => `--- ${s.kind}\n${s.output().slice(-3000)}`).join('\n')}`)
  }

  /** A dns-ha router (RawTransport + LinuxVip) in `host`'s namespace. */
  startDnsHa(host: Host, o: SpeakerOptions): Speaker {
    const fixture = fileURLToPath(new URL('./fixtures/run-router.ts', import.meta.url))
    const json = JSON.stringify({
      interface: host.dev,
      vrid: o.vrid,
      priority: o.priority,
      version: o.version,
      advertIntervalMs: o.advertIntervalMs,
      vips: [o.vip],
      ...(o.vip.includes(':') ? { family: 6 } : {}),
      ...(o.password ? { auth: { type: 'pass', password: o.password } } : {}),
      ...(o.notify ? { notify: o.notify } : {}),
    })
    const child = this.spawn(['ip', 'netns', 'exec', host.ns, process.execPath, '--import', 'tsx', fixture, json])
    let out = ''
    let heard = 0
    let ready = 0
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('heard ')) heard = Number(line.slice(6))
      else out += `${line}\n`
      if (ready === 0 && line.startsWith('state ')) ready = Number(line.split(' ')[2])
    })
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    return this.speaker('dns-ha', child, () => heard, () => ready, () => out, () => [child.pid!])
  }

  /** keepalived in the foreground in `host`'s namespace, its configuration in a temp dir. */
  startKeepalived(host: Host, o: SpeakerOptions): Speaker {
    const n = ++this.count
    const conf = this.writeKeepalivedConf(host, o, n)
    const pid = join(this.dir, `keepalived-${n}.pid`)
    const vrrpPid = join(this.dir, `vrrp-${n}.pid`)
    const child = this.spawn(['ip', 'netns', 'exec', host.ns, 'keepalived', '-n', '-l', '-D', '-P', '-f', conf, '-p', pid, '-r', vrrpPid])
    let out = ''
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    // Killing the parent alone would let the VRRP child stop cleanly (it is told to): a crash kills the child first, then the parent before it can respawn one.
    const pids = (): number[] => {
      try {
        return [Number(readFileSync(vrrpPid, 'utf8').trim()), child.pid!].filter((p) => p > 0)
      } catch {
        return [child.pid!]
      }
    }
    return this.speaker('keepalived', child, () => 0, () => 0, () => out, pids)
  }

  /** `dns-ha vrrp --config` in `host`'s namespace, reading the very keepalived.conf keepalived would. */
  startDnsHaConfig(host: Host, o: SpeakerOptions): Speaker {
    const conf = this.writeKeepalivedConf(host, o, ++this.count)
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
    const child = this.spawn(['ip', 'netns', 'exec', host.ns, process.execPath, '--import', 'tsx', main, 'vrrp', '--config', conf])
    let out = ''
    let ready = 0
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      // "VRRP VI_TEST: initialize -> backup (...)": the router is running.
      if (ready === 0 && /VRRP \S+: initialize -> /.test(out)) ready = Date.now()
    })
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    return this.speaker('dns-ha vrrp --config', child, () => 0, () => ready, () => out, () => [child.pid!])
  }

  /** The keepalived.conf both keepalived and `dns-ha vrrp --config` run. */
  private writeKeepalivedConf(host: Host, o: SpeakerOptions, n: number): string {
    const conf = join(this.dir, `keepalived-${n}.conf`)
    writeFileSync(
      conf,
      `global_defs {
  router_id dnsha_${n}
  vrrp_version ${o.version}
}
vrrp_instance VI_TEST {
  state BACKUP
  interface ${host.dev}
  virtual_router_id ${o.vrid}
  priority ${o.priority}
  advert_int ${o.advertIntervalMs / 1000}
${o.password ? `  authentication {\n    auth_type PASS\n    auth_pass ${o.password}\n  }\n` : ''}  virtual_ipaddress {
    ${o.vip}/${o.vip.includes(':') ? 128 : 32}
  }
}
`,
    )
    return conf
  }

  private spawn(argv: string[]): ChildProcess {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
    this.children.add(child)
    child.once('exit', () => this.children.delete(child))
    return child
  }

  private speaker(kind: string, child: ChildProcess, lastHeard: () => number, readyAt: () => number, output: () => string, pids: () => number[]): Speaker {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    return {
      kind,
      spawnedAt: Date.now(),
      lastHeard,
      readyAt,
      output,
      stop: async () => {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      },
      crash: async () => {
        const at = Date.now()
        for (const p of pids()) {
          try {
            process.kill(p, 'SIGKILL')
          } catch {
            // already gone
          }
        }
        await exited
        return at
      },
    }
  }

  /** Kills what was started here and deletes the namespaces. */
  async destroy(): Promise<void> {
    this.destroySync()
  }

  destroySync(): void {
    for (const child of this.children) child.kill('SIGKILL')
    this.children.clear()
    // A keepalived VRRP child may outlive its parent: kill what runs in the namespaces.
    for (const h of [this.a, this.b]) {
      const pids = spawnSync('ip', ['netns', 'pids', h.ns], { encoding: 'utf8' }).stdout ?? ''
      for (const p of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(p), 'SIGKILL')
        } catch {
          // gone
        }
      }
      spawnSync('ip', ['netns', 'del', h.ns])
    }
    rmSync(this.dir, { recursive: true, force: true })
    const i = ALL.indexOf(this)
    if (i >= 0) ALL.splice(i, 1)
  }
}
