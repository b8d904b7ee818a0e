/**
 * Files that survive a crash: a replacement is written to a temp file, fsync'd, renamed over the
 * old one, and the directory fsync'd, so after a power cut at any point the path holds the old
 * content or the new one, whole. The one implementation behind the secondaries' state files and
 * the record store's snapshots.
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, rename, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'

/** The file's bytes, or `undefined` when it does not exist (other errors are thrown). */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined
    throw error
  }
}

/** Replaces `path` with `text` atomically (temp file, rename); durably (fsync of the file, then of its directory) when `sync`. */
export async function writeFileAtomic(path: string, text: string, sync: boolean): Promise<void> {
  await replaceAtomic(path, sync, async (file) => {
    await file.writeFile(text, 'utf8')
  })
}

/**
 * {@link writeFileAtomic} for text given in pieces: each piece is written as it comes (gathered
 * to about 1 MiB per write), so a large file is never held whole. The pieces are UTF-8 encoded.
 */
export async function writeFileAtomicChunks(path: string, chunks: Iterable<string>, sync: boolean): Promise<void> {
  await replaceAtomic(path, sync, async (file) => {
    let pending: string[] = []
    let size = 0
    for (const chunk of chunks) {
      pending.push(chunk)
      size += chunk.length
      if (size >= 1 << 20) {
        await file.write(pending.join(''), null, 'utf8')
        pending = []
        size = 0
      }
    }
    if (pending.length > 0) await file.write(pending.join(''), null, 'utf8')
  })
}

/** fsync of a directory: makes the names created or renamed in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * The one replace path behind both writers: `write` fills a fresh temp file, which is fsync'd
 * (when `sync`), closed and renamed over `path`; on a failure the temp file is removed and the
 * old content stays.
 */
async function replaceAtomic(path: string, sync: boolean, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  const file = await open(temp, 'w', 0o644)
  try {
    await write(file)
    if (sync) await file.sync()
  } catch (error) {
    await file.close().catch(() => {})
    await unlink(temp).catch(() => {})
    throw error
  }
  await file.close()
  await rename(temp, path)
  // The rename itself is only durable once the directory is.
  if (sync) await syncDirectory(dirname(path))
}
