/**
 * The file seam: how the forwarder reads hosts and resolv files and learns that they changed.
 * {@link nodeFileSource} is the default; tests pass an in-memory one.
 */
import { watch as fsWatch } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname } from 'node:path'

/** Reads and watches files. */
export interface FileSource {
  /** The file's text; rejects when it cannot be read (missing, unreadable). */
  readFile(path: string): Promise<string>
  /**
   * Calls `onChange` (possibly several times per change) when the file is written, replaced,
   * created or deleted; returns a function that stops watching.
   */
  watch(path: string, onChange: () => void): () => void
}

/**
 * Node's fs. Watching is done on the file's directory, filtered by name, so editors and tools
 * that replace a file by rename (the atomic way) are seen as well as in-place writes.
 */
export const nodeFileSource: FileSource = {
  readFile: (path) => readFile(path, 'utf8'),
  watch(path, onChange) {
    const name = basename(path)
    let watcher: ReturnType<typeof fsWatch> | undefined
    try {
      watcher = fsWatch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) onChange()
      })
      // A directory that disappears must not crash the process; the next reload reports it.
      watcher.on('error', () => {})
    } catch {
      return () => {}
    }
    return () => watcher?.close()
  },
}
