/**
 * keepalived.conf's lexical layer: words, `"quoted strings"`, `!` and `#` comments, `{ }` blocks
 * (a brace may share a line with words or stand alone, as keepalived allows), and `include` with
 * glob patterns, read through a file seam and bounded in depth. The result is a tree of
 * statements (the words of one line, plus the block that follows them) with positions.
 */
import { ConfigSyntaxError } from '../util/errors.js'
import type { KeepalivedLocation, KeepalivedWarning } from './keepalived-config.js'

/** The file access `include` needs; {@link nodeKeepalivedFiles} is the disk. */
export interface KeepalivedFiles {
  /** The text of a file; throws when it cannot be read. */
  readFile(path: string): string
  /** The names in a directory (not paths); throws or returns [] when it cannot be listed. Only wildcard includes need it. */
  listDir?(path: string): string[]
}

/** One word of the configuration. */
export interface KeepalivedWord extends KeepalivedLocation {
  text: string
  quoted: boolean
}

/** The words of one statement and the block after it, if any. */
export interface KeepalivedStatement {
  words: KeepalivedWord[]
  block?: KeepalivedStatement[]
}

/** How deep includes may nest (a file including itself stops here rather than looping). */
export const KEEPALIVED_MAX_INCLUDE_DEPTH = 8

type Token = KeepalivedWord | { eol: true; file: string; line: number; column: number } | { brace: '{' | '}'; file: string; line: number; column: number }

/** Reads `text` (and what it includes) into statements; warnings collect includes that matched nothing. */
export function readKeepalivedStatements(
  text: string,
  file: string,
  baseDir: string,
  files: KeepalivedFiles,
  warnings: KeepalivedWarning[],
  filesRead: string[],
): KeepalivedStatement[] {
  const tokens: Token[] = []
  lexFile(text, file, baseDir, files, 0, tokens, warnings, filesRead)
  const position = { index: 0 }
  return buildBlock(tokens, position, undefined)
}

function lexFile(
  text: string,
  file: string,
  baseDir: string,
  files: KeepalivedFiles,
  depth: number,
  out: Token[],
  warnings: KeepalivedWarning[],
  filesRead: string[],
): void {
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    // An include line is read raw: its pattern may hold glob braces ({a,b}), which are not blocks.
    const include = /^(\s*)include(\s+)("[^"]*"|[^\s!#]+)?/.exec(lines[i]!)
    if (include !== null) {
      const first = { file, line: i + 1, column: include[1]!.length + 1 }
      if (include[3] === undefined) throw new ConfigSyntaxError('include needs a file name or pattern', first, { code: 'ERR_VRRP_CONFIG' })
      const pattern = { text: include[3].replace(/^"(.*)"$/, '$1') }
      if (depth + 1 > KEEPALIVED_MAX_INCLUDE_DEPTH) {
        throw new ConfigSyntaxError(`includes nest deeper than ${KEEPALIVED_MAX_INCLUDE_DEPTH} (does a file include itself?)`, first, { code: 'ERR_VRRP_CONFIG' })
      }
      const paths = expandInclude(pattern.text, baseDir, files, first, warnings)
      if (paths.length === 0) {
        warnings.push({ ...location(first), message: `include ${pattern.text}: no file matches (keepalived: "Config files missing"; it goes on)`, configTestFails: false })
      }
      for (const path of paths) {
        let body: string
        try {
          body = files.readFile(path)
        } catch (error) {
          throw new ConfigSyntaxError(`include ${path}: ${error instanceof Error ? error.message : String(error)}`, first, { code: 'ERR_VRRP_CONFIG', cause: error })
        }
        filesRead.push(path)
        lexFile(body, path, dirname(path), files, depth + 1, out, warnings, filesRead)
      }
      continue
    }
    out.push(...lexLine(lines[i]!, file, i + 1))
    out.push({ eol: true, file, line: i + 1, column: lines[i]!.length + 1 })
  }
}

/** One line into words and braces; a comment runs from an unquoted `!` or `#` to the end of the line. */
function lexLine(line: string, file: string, lineNo: number): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < line.length) {
    const c = line[i]!
    if (c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f') {
      i++
    } else if (c === '!' || c === '#') {
      break
    } else if (c === '{' || c === '}') {
      out.push({ brace: c, file, line: lineNo, column: i + 1 })
      i++
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1)
      if (end < 0) throw new ConfigSyntaxError('unterminated quoted string', { file, line: lineNo, column: i + 1 }, { code: 'ERR_VRRP_CONFIG' })
      out.push({ text: line.slice(i + 1, end), quoted: true, file, line: lineNo, column: i + 1 })
      i = end + 1
    } else {
      const start = i
      while (i < line.length && !/[\s{}"!#]/.test(line[i]!)) i++
      out.push({ text: line.slice(start, i), quoted: false, file, line: lineNo, column: start + 1 })
    }
  }
  return out
}

function buildBlock(tokens: Token[], position: { index: number }, opener: Token | undefined): KeepalivedStatement[] {
  const statements: KeepalivedStatement[] = []
  let words: KeepalivedWord[] = []
  // The statement a `{` on the next line belongs to ("vrrp_instance VI_1" newline "{").
  let open: KeepalivedStatement | undefined
  const flush = (): void => {
    if (words.length === 0) return
    open = { words }
    statements.push(open)
    words = []
  }
  while (position.index < tokens.length) {
    const token = tokens[position.index++]!
    if ('eol' in token) {
      flush()
    } else if ('brace' in token && token.brace === '{') {
      flush()
      if (open === undefined || open.block !== undefined) throw new ConfigSyntaxError("unexpected '{': no keyword before it", token, { code: 'ERR_VRRP_CONFIG' })
      const owner = open
      owner.block = buildBlock(tokens, position, token)
      open = undefined
    } else if ('brace' in token) {
      flush()
      if (opener === undefined) throw new ConfigSyntaxError("extra '}': no block is open", token, { code: 'ERR_VRRP_CONFIG' })
      return statements
    } else {
      if (words.length === 0) open = undefined
      words.push(token)
    }
  }
  flush()
  if (opener !== undefined) throw new ConfigSyntaxError("this '{' is never closed (missing '}')", opener, { code: 'ERR_VRRP_CONFIG' })
  return statements
}

/** The files an include pattern names, sorted as glob(3) sorts them; braces `{a,b}` and `* ? [..]` in any segment. */
function expandInclude(pattern: string, baseDir: string, files: KeepalivedFiles, at: KeepalivedLocation, warnings: KeepalivedWarning[]): string[] {
  const absolute = pattern.startsWith('/') ? pattern : `${baseDir.replace(/\/+$/, '')}/${pattern}`
  const found = new Set<string>()
  for (const variant of expandBraces(absolute)) {
    if (!/[*?[]/.test(variant)) {
      // keepalived (glob without GLOB_NOCHECK) includes a plain name only when it exists.
      if (existsAsFile(variant, files)) found.add(variant)
      else if (variant !== absolute) warnings.push({ ...location(at), message: `include ${pattern}: ${variant} does not exist (keepalived: "Some config files missing"; it goes on)`, configTestFails: false })
      continue
    }
    if (files.listDir === undefined) throw new ConfigSyntaxError(`include ${pattern}: a wildcard needs directory listing (pass listDir)`, at, { code: 'ERR_VRRP_CONFIG' })
    const segments = variant.split('/').filter((s) => s !== '')
    for (const path of globSegments(segments, variant.startsWith('/') ? '' : undefined, files)) found.add(path)
  }
  return [...found].sort()
}

function existsAsFile(path: string, files: KeepalivedFiles): boolean {
  if (files.listDir === undefined) return true
  try {
    return files.listDir(dirname(path)).includes(path.slice(path.lastIndexOf('/') + 1))
  } catch {
    return false
  }
}

/** `prefix` is '' for an absolute pattern's root, undefined for a relative one's start. */
function globSegments(segments: string[], prefix: string | undefined, files: KeepalivedFiles): string[] {
  const join = (name: string): string => (prefix === undefined ? name : `${prefix}/${name}`)
  if (segments.length === 0) return prefix === undefined ? [] : [prefix]
  const [segment, ...rest] = segments as [string, ...string[]]
  if (!/[*?[]/.test(segment)) return globSegments(rest, join(segment), files)
  let names: string[]
  try {
    names = files.listDir!(prefix === undefined ? '.' : prefix === '' ? '/' : prefix)
  } catch {
    return []
  }
  const matcher = globToRegExp(segment)
  return names
    .filter((name) => matcher.test(name) && (segment.startsWith('.') || !name.startsWith('.')))
    .sort()
    .flatMap((name) => globSegments(rest, join(name), files))
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{')
  const close = open < 0 ? -1 : pattern.indexOf('}', open)
  if (open < 0 || close < 0) return [pattern]
  const head = pattern.slice(0, open)
  const tail = pattern.slice(close + 1)
  return pattern
    .slice(open + 1, close)
    .split(',')
    .flatMap((part) => expandBraces(`${head}${part}${tail}`))
}

function globToRegExp(segment: string): RegExp {
  let source = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!
    if (c === '*') source += '.*'
    else if (c === '?') source += '.'
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end < 0) {
        source += '\\['
      } else {
        const body = segment.slice(i + 1, end)
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`
        i = end
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/')
  if (slash < 0) return '.'
  return slash === 0 ? '/' : path.slice(0, slash)
}

function location(at: KeepalivedLocation): KeepalivedLocation {
  return { file: at.file, line: at.line, column: at.column }
}
