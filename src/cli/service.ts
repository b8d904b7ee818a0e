/**
 * What a long-running `dns-ha` command hands back once it is serving, and the loop that keeps it
 * running: SIGHUP reloads (as dnsmasq and `rndc reload` do), SIGINT and SIGTERM stop it cleanly
 * (sockets closed, VRRP routers giving up with priority 0) and the process exits 0.
 */
import type { DnsHaMetrics } from '../metrics/index.js'

/** Where a command writes: the terminal in the real command, arrays in tests. */
export interface CliIo {
  out(line: string): void
  err(line: string): void
}

/** A started service. */
export interface RunningService {
  /** Watches the service's components on `metrics` (`--metrics`), each under a name its label shows. */
  watch?(metrics: DnsHaMetrics): void
  /** Re-reads what the service reads from files; resolves with lines to print. */
  reload?(): Promise<string[]>
  /** Stops serving: every socket closed, every timer cleared. */
  close(): Promise<void>
  /** Set when the service ends by itself (a one-shot demo run): the loop closes it and returns when this resolves. */
  done?: Promise<void>
}

/** Signals the loop listens to (the process in the command; an emitter in tests). */
export interface SignalSource {
  on(signal: 'SIGHUP' | 'SIGINT' | 'SIGTERM', handler: () => void): unknown
  off(signal: 'SIGHUP' | 'SIGINT' | 'SIGTERM', handler: () => void): unknown
}

/**
 * Serves until SIGINT or SIGTERM, reloading on SIGHUP (reloads never overlap: a SIGHUP during one
 * runs once more after it). Resolves when the service is closed.
 */
export function serveUntilSignal(service: RunningService, signals: SignalSource, io: CliIo): Promise<void> {
  return new Promise((resolve, reject) => {
    let reloading: Promise<void> | undefined
    let again = false
    const reload = (): void => {
      if (!service.reload) return void io.err('SIGHUP: nothing to reload')
      if (reloading) return void (again = true)
      reloading = service
        .reload()
        .then((lines) => lines.forEach((l) => io.out(l)))
        .catch((error: unknown) => io.err(`reload failed, still serving the old data: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          reloading = undefined
          if (again) {
            again = false
            reload()
          }
        })
    }
    let stopping = false
    const stop = (bySignal: boolean): void => {
      if (stopping) return
      stopping = true
      signals.off('SIGHUP', reload)
      signals.off('SIGINT', onSignal)
      signals.off('SIGTERM', onSignal)
      if (bySignal) io.out('stopping')
      service.close().then(resolve, reject)
    }
    const onSignal = (): void => stop(true)
    signals.on('SIGHUP', reload)
    signals.on('SIGINT', onSignal)
    signals.on('SIGTERM', onSignal)
    service.done?.then(
      () => stop(false),
      (error: unknown) => {
        io.err(`dns-ha: ${error instanceof Error ? error.message : String(error)}`)
        stop(false)
      },
    )
  })
}
