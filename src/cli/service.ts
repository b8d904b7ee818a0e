/**
 * What a long-running `dns-ha` command hands back once it is serving, and the loop that keeps it
 * running: SIGHUP reloads (as dnsmasq and `rndc reload` do), SIGINT and SIGTERM stop it cleanly
 * (sockets closed, VRRP routers giving up with priority 0) and the process exits 0.
 */

/** Where a command writes: the terminal in the real command, arrays in tests. */
export interface CliIo {
  out(line: string): void
  err(line: string): void
}

/** A started service. */
export interface RunningService {
  /** Re-reads what the service reads from files; resolves with lines to print. */
  reload?(): Promise<string[]>
  /** Stops serving: every socket closed, every timer cleared. */
  close(): Promise<void>
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
    const stop = (): void => {
      signals.off('SIGHUP', reload)
      signals.off('SIGINT', stop)
      signals.off('SIGTERM', stop)
      io.out('stopping')
      service.close().then(resolve, reject)
    }
    signals.on('SIGHUP', reload)
    signals.on('SIGINT', stop)
    signals.on('SIGTERM', stop)
  })
}
