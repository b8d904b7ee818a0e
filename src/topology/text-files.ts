/**
 * Files held in memory, for the forwarder's hosts files when a topology runs from its embedded
 * configuration (no disk, the same answers on every machine). Paths are matched exactly.
 */
import type { FileSource } from '../forwarder/index.js'
import { ConfigFileError } from '../util/errors.js'

/** A {@link FileSource} over a fixed set of texts; a path not in it fails like a missing file. */
export function textFiles(files: Readonly<Record<string, string>>): FileSource {
  return {
    readFile: async (path) => {
      const text = files[path]
      if (text === undefined) throw new ConfigFileError(path, 'no such file (not one of the embedded files)')
      return text
    },
    // Embedded files never change.
    watch: () => () => {},
  }
}
