/**
 * What the `dns-ha` command's exit status means, so scripts can tell a typo from a broken zone
 * from a port already taken. The numbers are the BSD sysexits ones that daemons and package
 * scripts already know (sendmail, postfix, OpenSSH use them).
 */
import { isDnsHaError } from '../util/errors.js'

/** Exit statuses of the `dns-ha` command. */
export const EXIT = {
  /** Ran and stopped cleanly (SIGINT/SIGTERM), or a one-shot command succeeded. */
  ok: 0,
  /** A bad flag, a missing argument, an unknown command (EX_USAGE). */
  usage: 64,
  /** A configuration or zone file that does not parse or check (EX_DATAERR). */
  config: 65,
  /** A file that could not be read (EX_NOINPUT). */
  noInput: 66,
  /** A service that could not start: a port in use, an address not on this host, no permission (EX_UNAVAILABLE). */
  unavailable: 69,
  /** Anything else: a bug (EX_SOFTWARE). */
  software: 70,
} as const

/** The exit status for an error that stopped a command. */
export function exitCodeFor(error: unknown): number {
  const errno = (error as { code?: unknown } | null)?.code
  if (errno === 'EADDRINUSE' || errno === 'EADDRNOTAVAIL' || errno === 'EACCES' || errno === 'EPERM') return EXIT.unavailable
  if (errno === 'ENOENT' || errno === 'EISDIR') return EXIT.noInput
  if (!isDnsHaError(error)) return EXIT.software
  if (error.code === 'ERR_USAGE') return EXIT.usage
  if (error.code === 'ERR_CONFIG_FILE' || error.code === 'ERR_ZONE_FILE') return EXIT.noInput
  // A socket that cannot bind (DNS or the metrics listener); a VRRP interface that is not there, raw sockets without root or koffi.
  if (error.code === 'ERR_SERVER_LISTEN' || error.code === 'ERR_METRICS_LISTEN' || error.code === 'ERR_VRRP_INTERFACE' || error.code === 'ERR_VRRP_PERMISSION' || error.code === 'ERR_VRRP_RAW_UNAVAILABLE') return EXIT.unavailable
  // Namespace mode without root or ip, or a node that could not get a raw socket.
  if (error.code === 'ERR_NETNS_UNAVAILABLE') return EXIT.unavailable
  return EXIT.config
}

/** The one line a person reads when a command fails: the message, with its cause's when the message alone hides it. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause.message : undefined
  return cause !== undefined && !error.message.includes(cause) ? `${error.message}: ${cause}` : error.message
}
