/**
 * keepalived's notify hooks: a script (or a function) run on every state change of a router.
 * `notifyMaster`, `notifyBackup`, `notifyFault` and `notifyStop` run as given; the generic
 * `notify` gets keepalived's four arguments appended: `INSTANCE <name> <STATE> <priority>`.
 * Scripts run one after another in the order of the transitions (a script sees MASTER before
 * the BACKUP that followed it), each killed after a timeout; a failing, hung or missing script is
 * reported on the router's `warning` event and never stops the router.
 */
import { DnsHaError } from '../util/errors.js'
import { nodeVrrpHost, type VrrpCommandRunner } from './node-host.js'
import type { VrrpRouter } from './router.js'
import type { VrrpState } from './types.js'
import { splitWords } from './command-line.js'

/** The state names keepalived passes to notify scripts. */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP'

/** What a function hook receives. */
export interface NotifyEvent {
  /** Always `INSTANCE` (keepalived's word for a vrrp_instance; groups are not modelled). */
  type: 'INSTANCE'
  /** The instance name. */
  name: string
  state: NotifyState
  /** The effective priority when the state changed. */
  priority: number
}

/** A hook: a command line (split on white space, quotes group words, no shell) or a function. */
export type NotifyHook = string | ((event: NotifyEvent) => void | Promise<void>)

/** The hooks of one router, as keepalived's `notify_*` keywords. */
export interface NotifyHooks {
  notifyMaster?: NotifyHook
  notifyBackup?: NotifyHook
  notifyFault?: NotifyHook
  notifyStop?: NotifyHook
  /** Runs on every change, with `INSTANCE <name> <STATE> <priority>` appended (a function gets them as a {@link NotifyEvent}). */
  notify?: NotifyHook
}

/** What {@link attachNotify} returns. */
export interface NotifyHandle {
  /** Stops running hooks on later state changes (those already queued still run). */
  detach(): void
  /** Resolves when every hook queued so far has finished (or been killed): wait for it before exiting after `stop()`, so `notifyStop` runs. */
  settled(): Promise<void>
}

/** Options of {@link attachNotify}. */
export interface AttachNotifyOptions {
  /** The instance name passed to `notify` (keepalived's `vrrp_instance` name; default `VI_<vrid>`). */
  name?: string
  /** Kill a script (and its process group) still running after this long (default 30 000 ms). */
  timeoutMs?: number
  /** The process runner (default: the real one); tests pass a fake. */
  run?: VrrpCommandRunner
}

/** The router state a notify state names (a router back in Initialize has stopped). */
const STATE_NAMES: Partial<Record<VrrpState, NotifyState>> = { master: 'MASTER', backup: 'BACKUP', fault: 'FAULT', initialize: 'STOP' }
const OWN_HOOK: Record<NotifyState, keyof NotifyHooks> = { MASTER: 'notifyMaster', BACKUP: 'notifyBackup', FAULT: 'notifyFault', STOP: 'notifyStop' }

/**
 * Splits a command line into words: white space separates, single or double quotes group
 * (no escapes, no variables: there is no shell). Throws `DnsHaError` `ERR_VRRP_CONFIG` on an
 * unclosed quote or an empty line.
 */
export function splitCommandLine(line: string): string[] {
  const { words, unclosed } = splitWords(line)
  if (unclosed !== undefined) throw new DnsHaError('ERR_VRRP_CONFIG', `vrrp notify: unclosed ${unclosed} in ${JSON.stringify(line)}`)
  if (words.length === 0) throw new DnsHaError('ERR_VRRP_CONFIG', 'vrrp notify: empty command line')
  return words
}

/**
 * The commands one state change runs, in keepalived's order: the state's own hook, then the
 * generic `notify` with `INSTANCE <name> <STATE> <priority>` appended. Functions are returned
 * as they are.
 */
export function notifyCalls(hooks: NotifyHooks, event: NotifyEvent): (string[] | ((event: NotifyEvent) => void | Promise<void>))[] {
  const calls: (string[] | ((event: NotifyEvent) => void | Promise<void>))[] = []
  const own = hooks[OWN_HOOK[event.state]]
  if (own !== undefined) calls.push(typeof own === 'string' ? splitCommandLine(own) : own)
  if (hooks.notify !== undefined) {
    calls.push(typeof hooks.notify === 'string' ? [...splitCommandLine(hooks.notify), event.type, event.name, event.state, String(event.priority)] : hooks.notify)
  }
  return calls
}

/**
 * Runs `hooks` on the router's state changes until `detach()` is called. Command
 * lines are checked now (throws `DnsHaError` `ERR_VRRP_CONFIG`), so a typo fails at
 * configuration time, not at the first failover.
 */
export function attachNotify(router: VrrpRouter, hooks: NotifyHooks, options: AttachNotifyOptions = {}): NotifyHandle {
  for (const hook of Object.values(hooks)) if (typeof hook === 'string') splitCommandLine(hook)
  const run = options.run ?? nodeVrrpHost.run
  const timeoutMs = options.timeoutMs ?? 30_000
  const name = options.name ?? `VI_${router.snapshot().vrid}`
  let queue: Promise<void> = Promise.resolve()

  const warn = (message: string, error?: unknown): void => {
    const err = error instanceof Error ? error : new Error(message)
    const text = error instanceof Error ? `${message}: ${error.message}` : message
    if (router.listenerCount('warning') > 0) router.emit('warning', { message: text, error: err })
    else process.emitWarning(text, { code: 'DNS_HA_VRRP_NOTIFY' })
  }

  const runOne = async (call: string[] | ((event: NotifyEvent) => void | Promise<void>), event: NotifyEvent): Promise<void> => {
    if (typeof call === 'function') {
      try {
        await call(event)
      } catch (error) {
        warn(`vrrp ${name}: notify function for ${event.state} failed`, error)
      }
      return
    }
    const [command, ...args] = call as [string, ...string[]]
    const line = call.join(' ')
    try {
      const result = await run(command, args, { timeoutMs })
      if (result.timedOut) warn(`vrrp ${name}: notify script "${line}" for ${event.state} was still running after ${timeoutMs} ms: killed`)
      else if (result.code !== 0) warn(`vrrp ${name}: notify script "${line}" for ${event.state} ended with ${result.code === null ? `signal ${result.signal}` : `exit ${result.code}`}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`)
    } catch (error) {
      warn(`vrrp ${name}: notify script "${line}" for ${event.state} could not run`, error)
    }
  }

  const onState = ({ to }: { to: VrrpState }): void => {
    const state = STATE_NAMES[to]
    if (!state) return
    const event: NotifyEvent = { type: 'INSTANCE', name, state, priority: router.snapshot().effectivePriority }
    const calls = notifyCalls(hooks, event)
    queue = queue.then(async () => {
      for (const call of calls) await runOne(call, event)
    })
  }
  router.on('state', onState)
  return {
    detach: () => {
      router.off('state', onState)
    },
    settled: () => queue,
  }
}
