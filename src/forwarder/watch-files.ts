/**
 * {@link ForwarderFiles}: the files behind the forwarder's tables (hosts files and the resolv
 * file), read on demand and watched for changes. A file that cannot be read or parsed keeps what
 * it last held and is reported, so a bad edit never empties a table.
 */
import type { Clock, TimerHandle } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { FileSource } from './file-source.js'
import type { HostsEntry } from './parse-hosts.js'
import { parseHosts } from './parse-hosts.js'
import type { UpstreamServer } from './parse-resolv-conf.js'
import { parseResolvConf } from './parse-resolv-conf.js'
import type { ServersFileContent } from './parse-servers-file.js'
import { parseServersFile } from './parse-servers-file.js'

/** A file that kept its old data, and why. */
export interface FileError {
  file: string
  message: string
}

/** Which files to read and how. */
export interface ForwarderFilesOptions {
  files: FileSource
  clock: Clock
  hostsFiles: readonly string[]
  resolvFile: string | undefined
  /** dnsmasq's `servers-file`: `server=` / `rev-server=` lines, re-read like the others. */
  serversFile?: string | undefined
}

/** The hosts and resolv files, their last good contents, and their watchers. */
export class ForwarderFiles {
  private readonly hosts = new Map<string, HostsEntry[]>()
  private resolv: UpstreamServer[] = []
  private servers: ServersFileContent = { servers: [], domainServers: [] }
  private readonly unwatchers: (() => void)[] = []
  private timer: TimerHandle | undefined
  private closed = false

  constructor(private readonly options: ForwarderFilesOptions) {}

  /** Every hosts file's entries, in the order the files were given. */
  hostsEntries(): HostsEntry[] {
    const entries: HostsEntry[] = []
    for (const file of this.options.hostsFiles) entries.push(...(this.hosts.get(file) ?? []))
    return entries
  }

  /** The resolv file's nameservers (empty without a resolv file). */
  resolvServers(): UpstreamServer[] {
    return this.resolv
  }

  /** The servers-file's upstreams and domain routes (empty without one). */
  serversFileContent(): ServersFileContent {
    return this.servers
  }

  /** Re-reads every file; each one that fails keeps its previous contents and is listed. */
  async read(): Promise<FileError[]> {
    const errors: FileError[] = []
    for (const file of this.options.hostsFiles) {
      try {
        const text = await this.options.files.readFile(file)
        this.hosts.set(file, parseHosts(text, { fileName: file }))
      } catch (error) {
        errors.push({ file, message: errorMessage(error) })
      }
    }
    const file = this.options.resolvFile
    if (file) {
      try {
        const servers = parseResolvConf(await this.options.files.readFile(file), { fileName: file })
        // As dnsmasq: a resolv file without nameservers (mid-rewrite) keeps the old list.
        if (servers.length === 0) throw new DnsHaError('ERR_CONFIG', 'no nameserver lines')
        this.resolv = servers
      } catch (error) {
        errors.push({ file, message: errorMessage(error) })
      }
    }
    const serversFile = this.options.serversFile
    if (serversFile) {
      try {
        this.servers = parseServersFile(await this.options.files.readFile(serversFile), { fileName: serversFile })
      } catch (error) {
        errors.push({ file: serversFile, message: errorMessage(error) })
      }
    }
    return errors
  }

  /**
   * Watches every file and calls `onChange` once things have been quiet for `debounceMs` after a
   * change (editors write a file in several steps).
   */
  watch(debounceMs: number, onChange: () => void): void {
    const files = [...this.options.hostsFiles]
    if (this.options.resolvFile) files.push(this.options.resolvFile)
    if (this.options.serversFile) files.push(this.options.serversFile)
    for (const file of files) {
      this.unwatchers.push(
        this.options.files.watch(file, () => {
          if (this.closed) return
          this.options.clock.clearTimeout(this.timer)
          this.timer = this.options.clock.setTimeout(onChange, debounceMs)
        }),
      )
    }
  }

  /** Stops watching. */
  close(): void {
    this.closed = true
    this.options.clock.clearTimeout(this.timer)
    for (const stop of this.unwatchers.splice(0)) stop()
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
