/**
 * {@link serveCluster}: one DNS server per CPU core with `node:cluster`, every worker serving
 * the same UDP and TCP port. Node's cluster shares the primary's UDP socket handle with the
 * workers (the kernel hands each datagram to one of them) and round-robins TCP connections.
 *
 * With `reusePort: true` each worker opens its own UDP socket on the port with `SO_REUSEPORT`
 * (the batched engine) and the primary binds no UDP at all: the kernel hashes each client's
 * address and port to one worker's socket, so workers never contend for one receive queue and a
 * worker's batch is its own. TCP stays on the primary's shared handle as before: Node 20's TCP
 * listen cannot set SO_REUSEPORT, and DNS over TCP is the low-volume path, where round-robin
 * from the primary costs nothing that matters.
 *
 * The same script runs in the primary and in each worker: call `serveCluster` at start-up in
 * both. In the primary it forks and waits for every worker to listen; in a worker it calls
 * `setup()` (which builds the handler: load zones there) and listens.
 */
import cluster from 'node:cluster'
import type { Worker } from 'node:cluster'
import { DnsServer } from '../server/dns-server.js'
import type { DnsServerOptions } from '../server/dns-server.js'
import type { HandlerLike } from '../server/handler.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import { batchedEngineUnavailable } from '../util/batched-network.js'

/** Set by the primary in each worker's environment when the cluster runs with `reusePort`. */
const REUSE_PORT_ENV = 'DNS_HA_CLUSTER_REUSEPORT'

/** Options of {@link serveCluster}. */
export interface ClusterOptions {
  /** How many worker processes (default 2). */
  workers?: number
  /** Where every worker listens (a fixed port: with port 0 each worker would pick its own). */
  listen: { port: number; address?: string }
  /** Runs in each worker: returns the handler it serves. */
  setup: () => HandlerLike | Promise<HandlerLike>
  /**
   * One UDP socket per worker on the same port (`SO_REUSEPORT`, batched engine) instead of the
   * primary's shared handle. Throws a `DnsHaError` (`ERR_CONFIG`) in the primary where the
   * batched engine cannot run. Workers learn it from the primary (an environment variable), so
   * the worker script need not repeat it.
   */
  reusePort?: boolean
  /** More DnsServer options for the workers. */
  server?: Omit<DnsServerOptions, 'handler'>
  /** The script the workers run (default: this process's main script); it must call `serveCluster` too. */
  exec?: string
  /** Arguments for the worker script. */
  args?: string[]
  /** Node options for the workers (default: this process's, e.g. `['--import', 'tsx']` for a TypeScript worker). */
  execArgv?: string[]
  /** How long the primary waits for all workers to listen (default 30,000 ms). */
  startTimeoutMs?: number
  /** The primary's timers (start timeout, the kill deadline of a worker that does not exit) run on this clock (default: Node's timers). */
  clock?: Clock
}

/** What {@link serveCluster} returns in the primary. */
export interface ClusterPrimary {
  role: 'primary'
  port: number
  pids: number[]
  /** Asks every worker to close its server and exit; resolves when all have. */
  close(): Promise<void>
}

/** What {@link serveCluster} returns in a worker. */
export interface ClusterWorker {
  role: 'worker'
  server: DnsServer
}

interface ReadyMessage {
  'dns-ha': 'listening'
  port: number
}

/** Starts the cluster (primary) or this worker's server (worker). */
export async function serveCluster(options: ClusterOptions): Promise<ClusterPrimary | ClusterWorker> {
  if (cluster.isWorker) return startWorker(options)
  const count = options.workers ?? 2
  if (!Number.isInteger(count) || count < 1) throw new DnsHaError('ERR_CONFIG', `workers must be a positive integer, got ${count}`)
  if (!Number.isInteger(options.listen.port) || options.listen.port <= 0) {
    throw new DnsHaError('ERR_CONFIG', 'serveCluster needs a fixed listen port (workers must share it)')
  }
  const reusePort = options.reusePort === true
  const unavailable = reusePort ? batchedEngineUnavailable() : undefined
  if (unavailable !== undefined) throw new DnsHaError('ERR_CONFIG', `reusePort needs the batched engine, which cannot run here: ${unavailable}`)
  if (options.exec !== undefined || options.args !== undefined || options.execArgv !== undefined) {
    cluster.setupPrimary({
      ...(options.exec !== undefined ? { exec: options.exec } : {}),
      ...(options.args !== undefined ? { args: options.args } : {}),
      ...(options.execArgv !== undefined ? { execArgv: options.execArgv } : {}),
    })
  }
  const workers: Worker[] = []
  const started = Promise.all(
    Array.from({ length: count }, () => {
      const worker = cluster.fork({ DNS_HA_CLUSTER_PORT: String(options.listen.port), ...(reusePort ? { [REUSE_PORT_ENV]: '1' } : {}) })
      workers.push(worker)
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (m: ReadyMessage) => {
          if (m && m['dns-ha'] === 'listening') resolve()
        })
        worker.once('exit', (code) => reject(new DnsHaError('ERR_CLUSTER', `worker ${worker.process.pid} exited with ${code} before listening`)))
      })
    }),
  )
  const timeoutMs = options.startTimeoutMs ?? 30_000
  const clock = options.clock ?? realClock
  let timer: TimerHandle | undefined
  const stopAll = (): Promise<void> =>
    Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve()
            // A worker that does not exit within 5 s is killed; the timer goes as soon as it exits.
            const kill = clock.setTimeout(() => w.process.kill('SIGKILL'), 5000)
            w.once('exit', () => {
              clock.clearTimeout(kill)
              resolve()
            })
            w.send({ 'dns-ha': 'close' })
          }),
      ),
    ).then(() => undefined)
  try {
    await Promise.race([
      started,
      new Promise((_, reject) => {
        timer = clock.setTimeout(() => reject(new DnsHaError('ERR_CLUSTER', `workers did not listen within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
  } catch (error) {
    await stopAll()
    throw error
  } finally {
    clock.clearTimeout(timer)
  }
  return { role: 'primary', port: options.listen.port, pids: workers.map((w) => w.process.pid!), close: stopAll }
}

async function startWorker(options: ClusterOptions): Promise<ClusterWorker> {
  const handler = await options.setup()
  const reusePort = options.reusePort === true || process.env[REUSE_PORT_ENV] === '1'
  const server = new DnsServer({ ...options.server, handler, ...(reusePort ? { reusePort } : {}) })
  const bound = await server.listen({ port: options.listen.port, ...(options.listen.address !== undefined ? { address: options.listen.address } : {}) })
  process.on('message', (m: { 'dns-ha'?: string }) => {
    if (m && m['dns-ha'] === 'close') void server.close().finally(() => process.exit(0))
  })
  process.send?.({ 'dns-ha': 'listening', port: bound.port } satisfies ReadyMessage)
  return { role: 'worker', server }
}
