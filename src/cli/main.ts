#!/usr/bin/env node
/**
 * The `dns-ha` executable (package.json `bin`): runs {@link runCli} against this process and
 * exits with its status.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KeySource } from './demo-command.js'
import { runCli } from './program.js'

runCli(process.argv.slice(2), {
  io: { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  signals: process,
  version: packageVersion(),
  ...(process.stdin.isTTY ? { keys: terminalKeys() } : {}),
  // How to run this very program again: `example --netns` starts one per namespace.
  ...(process.argv[1] === undefined ? {} : { selfCommand: [process.execPath, ...process.execArgv, process.argv[1]] }),
}).then((status) => process.exit(status))

/** Single key presses from the terminal (raw mode); Ctrl-C still stops the command. */
function terminalKeys(): KeySource {
  return {
    onKey(handler) {
      process.stdin.setRawMode(true)
      process.stdin.resume()
      const listener = (data: Buffer): void => {
        const key = data.toString('utf8')
        if (key === '\u0003') process.kill(process.pid, 'SIGINT')
        else handler(key)
      }
      process.stdin.on('data', listener)
      return () => {
        process.stdin.off('data', listener)
        process.stdin.setRawMode(false)
        process.stdin.pause()
      }
    },
  }
}

/** Our package.json's version: found upwards from this file, whether it runs from dist/ or src/cli/. */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
    if (pkg.name === 'dns-ha') return pkg.version ?? '0.0.0'
  }
  return '0.0.0'
}
