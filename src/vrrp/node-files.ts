/**
 * The vrrp module's Node seam: keepalived.conf and its includes from disk. Nothing else in the
 * vrrp module reads files.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { KeepalivedFiles } from './keepalived-syntax.js'

/** The default {@link KeepalivedFiles}: node:fs, UTF-8 text. */
export const nodeKeepalivedFiles: KeepalivedFiles = {
  readFile: (path) => readFileSync(path, 'utf8'),
  listDir: (path) => readdirSync(path),
}
