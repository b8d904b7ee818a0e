/** Small helpers every bench file shares: reading `--flag value` options and finding peer tools. */
import { spawnSync } from 'node:child_process'

/** The value after `flag` in `args`, `undefined` when the flag is absent. */
export function argValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

/** Whether `cmd` runs at all (it is on the PATH). */
export function have(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).error === undefined
}

/** Says a peer is missing and how to install it; returns `undefined` for the caller's "no target". */
export function skipMissing(tool: string, packages: string): undefined {
  console.warn(`${tool} is not installed: skipped (apt-get install ${packages})`)
  return undefined
}
