/**
 * The zone module's Node seam: zone files from disk (as bytes) and path arithmetic for
 * `$INCLUDE`. Nothing else in the zone module imports a `node:*` module.
 */
import { createReadStream, readFileSync, realpathSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import type { ZoneFileSource, ZonePaths } from './file-source.js'

/** The default {@link ZoneFileSource}: node:fs, files as Buffers (bytes). */
export const nodeFiles: ZoneFileSource = {
  readFileSync: (path) => readFileSync(path),
  readFile: (path) => readFile(path),
  realpath: (path) => realpathSync(path),
  stream: (path) => createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>,
}

/** The default {@link ZonePaths}: node:path and `process.cwd()`. */
export const nodePaths: ZonePaths = {
  resolve: (base, path) => resolve(base, path),
  dirname: (path) => dirname(path),
  relative: (from, to) => relative(from, to),
  isAbsolute: (path) => isAbsolute(path),
  sep,
  cwd: () => process.cwd(),
}
