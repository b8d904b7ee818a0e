/**
 * The transfer module's Node seam: the secondary's state files on disk. A write is a temp file,
 * fsync, rename over the old file, fsync of the directory: after a crash at any point the file
 * holds the old copy or the new one, whole. Nothing else in the transfer module imports `node:*`.
 */
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { readIfExists, writeFileAtomic, writeFileAtomicChunks } from '../util/durable-file.js'

/** What a secondary needs from a file system (the default, {@link nodeTransferFiles}, is node:fs). */
export interface TransferFiles {
  /** The file's text, or `undefined` when it does not exist. */
  read(path: string): Promise<string | undefined>
  /** Replaces the file with `text` atomically and durably (creating its directory). */
  writeAtomic(path: string, text: string): Promise<void>
  /**
   * Replaces the file with the text given in pieces, atomically and durably, writing each piece
   * as it comes (a large zone's copy is then never one string). Optional: without it the
   * pieces are joined and given to `writeAtomic`.
   */
  writeAtomicChunks?(path: string, chunks: Iterable<string>): Promise<void>
  /** `name` inside directory `dir`. */
  join(dir: string, name: string): string
}

/** The default {@link TransferFiles}: node:fs, temp file + fsync + rename + directory fsync. */
export const nodeTransferFiles: TransferFiles = {
  async read(path) {
    return (await readIfExists(path))?.toString('utf8')
  },
  async writeAtomic(path, text) {
    await mkdir(dirname(path), { recursive: true })
    await writeFileAtomic(path, text, true)
  },
  async writeAtomicChunks(path, chunks) {
    await mkdir(dirname(path), { recursive: true })
    await writeFileAtomicChunks(path, chunks, true)
  },
  join: (dir, name) => join(dir, name),
}
