/**
 * The file seam: how the forwarder reads hosts, resolv and servers files (and dnsmasq.conf with
 * its conf-file / conf-dir includes) and learns that they changed.
 * {@link nodeFileSource} is the default; tests pass an in-memory one.
 */
import { watch as fsWatch } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { ConfigFileError } from '../util/errors.js'

/** Reads and watches files. */
export interface FileSource {
  /**
   * The file's text; rejects when it cannot be read (missing, unreadable), preferably with a
   * `ConfigFileError` naming the path (as {@link nodeFileSource} does).
   */
  readFile(path: string): Promise<string>
  /**
   * The names (not paths) of the entries in a directory, for dnsmasq's `conf-dir`. Optional:
   * without it `conf-dir` is an error.
   */
  readDir?(path: string): Promise<string[]>
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
  readFile: (path) => readFile(path, 'utf8').catch((error: unknown) => Promise.reject(fileError(path, error))),
  readDir: (path) => readdir(path).catch((error: unknown) => Promise.reject(fileError(path, error))),
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

/** Node's error as a `ConfigFileError` naming the path (`ENOENT` → "no such file or directory"). */
function fileError(path: string, error: unknown): ConfigFileError {
  const code = (error as { code?: unknown }).code
  const reason =
    code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOTDIR' ? 'not a directory' : error instanceof Error ? error.message : String(error)
  return new ConfigFileError(path, reason, { cause: error })
}
