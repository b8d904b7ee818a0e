/**
 * A machine's disk held in memory, for a topology run without a state directory: the zone
 * store's snapshot and journal, and a secondary's copy of its zone. It outlives the pieces that
 * write it, so a secondary killed and restored finds its copy again, as on a real disk.
 */
import type { AppendFile, StoreFiles } from '../records/index.js'
import type { TransferFiles } from '../transfer/index.js'

/** Files in a map, seen as the zone store and a secondary each expect a file system. */
export class MemoryDisk {
  private readonly files = new Map<string, Uint8Array>()

  /** The zone store's view ({@link StoreFiles}). */
  readonly store: StoreFiles = {
    read: async (path) => this.files.get(path),
    writeAtomic: async (path, text) => void this.files.set(path, new TextEncoder().encode(text)),
    openAppend: async (path) => this.openAppend(path),
    mkdir: async () => {},
    join: (dir, name) => `${dir}/${name}`,
  }

  /** A secondary's view ({@link TransferFiles}). */
  readonly transfer: TransferFiles = {
    read: async (path) => {
      const bytes = this.files.get(path)
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes)
    },
    writeAtomic: async (path, text) => void this.files.set(path, new TextEncoder().encode(text)),
    join: (dir, name) => `${dir}/${name}`,
  }

  private openAppend(path: string): AppendFile {
    if (!this.files.has(path)) this.files.set(path, new Uint8Array(0))
    return {
      append: async (bytes) => {
        const old = this.files.get(path) ?? new Uint8Array(0)
        const next = new Uint8Array(old.length + bytes.length)
        next.set(old)
        next.set(bytes, old.length)
        this.files.set(path, next)
      },
      truncate: async (length) => void this.files.set(path, (this.files.get(path) ?? new Uint8Array(0)).slice(0, length)),
      close: async () => {},
    }
  }
}
