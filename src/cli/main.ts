#!/usr/bin/env node
/**
 * The `dns-ha` executable (package.json `bin`): runs {@link runCli} against this process and
 * exits with its status.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from './program.js'

runCli(process.argv.slice(2), {
  io: { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  signals: process,
  version: packageVersion(),
}).then((status) => process.exit(status))

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
