/**
 * The transfer module's Node seam: the secondary's state files on disk. A write is a temp file,
 * fsync, rename over the old file, fsync of the directory: after a crash at any point the file
 * holds the old copy or the new one, whole. Nothing else in the transfer module imports `node:*`.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** What a secondary needs from a file system (the default, {@link nodeTransferFiles}, is node:fs). */
export interface TransferFiles {
  /** The file's text, or `undefined` when it does not exist. */
  read(path: string): Promise<string | undefined>
  /** Replaces the file with `text` atomically and durably (creating its directory). */
  writeAtomic(path: string, text: string): Promise<void>
  /** `name` inside directory `dir`. */
  join(dir: string, name: string): string
}

/** The default {@link TransferFiles}: node:fs, temp file + fsync + rename + directory fsync. */
export const nodeTransferFiles: TransferFiles = {
  async read(path) {
    try {
      return await readFile(path, 'utf8')
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined
      throw error
    }
  },
  async writeAtomic(path, text) {
    const dir = dirname(path)
    await mkdir(dir, { recursive: true })
    const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    const file = await open(temp, 'w', 0o644)
    try {
      await file.writeFile(text, 'utf8')
      await file.sync()
    } catch (error) {
      await file.close().catch(() => {})
      await unlink(temp).catch(() => {})
      throw error
    }
    await file.close()
    await rename(temp, path)
    // The rename itself is only durable once the directory is.
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  },
  join: (dir, name) => join(dir, name),
}
