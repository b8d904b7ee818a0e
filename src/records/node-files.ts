/**
 * The records module's Node seam: the store's snapshot and journal files. A snapshot is written
 * as a temp file, fsync, rename over the old one, fsync of the directory, so after a crash it is
 * the old copy or the new one, whole. The journal is append-only; an append is durable once
 * `append(bytes, true)` resolves (fd.sync()). Nothing else in the records module imports `node:*`.
 */
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { readIfExists, writeFileAtomic } from '../util/durable-file.js'

/** An open append-only file (the journal of one zone). */
export interface AppendFile {
  /** Appends `bytes`; with `sync`, resolves only once they are on disk (fsync). */
  append(bytes: Uint8Array, sync: boolean): Promise<void>
  /** Cuts the file to `length` bytes (and syncs it when `sync`). */
  truncate(length: number, sync: boolean): Promise<void>
  close(): Promise<void>
}

/** What a {@link ZoneStore} needs from a file system (the default, {@link nodeStoreFiles}, is node:fs). */
export interface StoreFiles {
  /** The file's bytes, or `undefined` when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>
  /** Replaces the file with `text` atomically (temp, rename); durably (fsync of file and directory) when `sync`. */
  writeAtomic(path: string, text: string, sync: boolean): Promise<void>
  /** Opens (creating) `path` for appending. */
  openAppend(path: string): Promise<AppendFile>
  /** Creates the directory and its parents. */
  mkdir(dir: string): Promise<void>
  /** `name` inside directory `dir`. */
  join(dir: string, name: string): string
}

/** The default {@link StoreFiles}: node:fs. */
export const nodeStoreFiles: StoreFiles = {
  async read(path) {
    const bytes = await readIfExists(path)
    return bytes === undefined ? undefined : new Uint8Array(bytes)
  },
  writeAtomic: (path, text, sync) => writeFileAtomic(path, text, sync),
  async openAppend(path) {
    const handle: FileHandle = await open(path, 'a+', 0o644)
    return {
      async append(bytes, sync) {
        let done = 0
        while (done < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, done, bytes.length - done)
          done += bytesWritten
        }
        if (sync) await handle.sync()
      },
      async truncate(length, sync) {
        await handle.truncate(length)
        if (sync) await handle.sync()
      },
      close: () => handle.close(),
    }
  },
  async mkdir(dir) {
    await mkdir(dir, { recursive: true })
  },
  join: (dir, name) => join(dir, name),
}
