/**
 * {@link ZoneFileSource}: how the parser reads zone files, behind a seam so tests need no disk
 * and the parser itself touches no Node module (the default, `nodeFiles`, is in node-files.ts).
 */

/**
 * File reading for the zone parser. Zone text is bytes: a `Buffer` is taken byte for byte, a
 * `string` as text and encoded to UTF-8 (so `"café"` in a string and the UTF-8 file holding it
 * give the same bytes).
 */
export interface ZoneFileSource {
  /** The whole file. */
  readFileSync(path: string): Buffer | string
  /** The whole file, asynchronously (used by the streaming reader when there is no `stream`). */
  readFile(path: string): Promise<Buffer | string>
  /** The file in chunks (streaming); a string chunk must end on a character boundary. */
  stream?(path: string): AsyncIterable<Buffer | string>
  /** The path with symbolic links resolved, for the `{ jail }` include policy (lexical without it). */
  realpath?(path: string): string
}

/** Path arithmetic for `$INCLUDE` (Node's `path` in the default). */
export interface ZonePaths {
  /** `path` made absolute against directory `base`. */
  resolve(base: string, path: string): string
  /** The directory part of a path. */
  dirname(path: string): string
  /** The path from `from` to `to` (`..` first when `to` is outside `from`). */
  relative(from: string, to: string): string
  /** True for an absolute path. */
  isAbsolute(path: string): boolean
  /** The platform's path separator. */
  readonly sep: string
  /** The process's working directory: the base of relative `$INCLUDE`s of text without a file name. */
  cwd(): string
}
