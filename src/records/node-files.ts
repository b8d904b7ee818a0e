/**
 * The records module's Node seam: the store's snapshot and journal files. A snapshot is written
 * as a temp file, fsync, rename over the old one, fsync of the directory, so after a crash it is
 * the old copy or the new one, whole. The journal is append-only; an append is durable once
 * `append(bytes, true)` resolves (fd.sync()). Nothing else in the records module imports `node:*`.
 */
import { randomBytes } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'

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
    try {
      return await readFile(path)
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined
      throw error
    }
  },
  async writeAtomic(path, text, sync) {
    const dir = dirname(path)
    const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    const file = await open(temp, 'w', 0o644)
    try {
      await file.writeFile(text, 'utf8')
      if (sync) await file.sync()
    } catch (error) {
      await file.close().catch(() => {})
      await unlink(temp).catch(() => {})
      throw error
    }
    await file.close()
    await rename(temp, path)
    // The rename itself is only durable once the directory is.
    if (sync) await syncDir(dir)
  },
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

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
