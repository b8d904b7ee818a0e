/**
 * Master-file parsing (RFC 1035 §5, RFC 2308 `$TTL`, BIND's `$GENERATE`): `parseZone` for
 * text, `readZoneFile` for a file, and `zoneRecords` streaming records of a file or stream.
 */
import { createReadStream, readFileSync, realpathSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute as isAbsolutePath, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { DnsHaError } from '../util/errors.js'
import { ZoneSyntaxError } from './errors.js'
import type { ZoneDiagnostic } from './errors.js'
import { flatten } from './kept-strings.js'
import { Lexer } from './lexer.js'
import { isAbsolute } from '../packet/names.js'
import { RdataReader, parseName, parseRdata, parseTtl } from './rdata-parse.js'
import { classMnemonic, classNumber, packetClassName, typeNumber } from '../packet/types.js'
import { Zone, addParsedRecord, recordData } from './zone.js'
import type { ZoneRecord } from './zone.js'

/** How `$INCLUDE` is treated: allowed anywhere, refused, or allowed only inside a directory. */
export type IncludePolicy = 'allow' | 'deny' | { jail: string }

/** File reading behind a seam, so tests need no disk. */
export interface ZoneFileSource {
  /** Whole file as latin1 text (one char per byte). */
  readFileSync(path: string): string
  /** Whole file, asynchronously (used by the streaming reader for `$INCLUDE`). */
  readFile(path: string): Promise<string>
  /** Chunks of a file as latin1 text (streaming). */
  stream?(path: string): AsyncIterable<string>
  /** The path with symbolic links resolved, for the `{ jail }` include policy (lexical without it). */
  realpath?(path: string): string
}

/** Options of {@link parseZone}, {@link readZoneFile} and {@link zoneRecords}. */
export interface ParseZoneOptions {
  /** The origin (`$ORIGIN` at the start, the zone apex). Default `'.'`. */
  origin?: string
  /** TTL for records without one, as if the file began with `$TTL`. */
  defaultTtl?: number
  /** Name used in error messages and as the base of relative `$INCLUDE` paths. */
  fileName?: string
  /** Zone class (default `'IN'`); records of another class are errors, as in BIND. */
  class?: string
  /**
   * Collect every syntax error in `zone.errors` instead of throwing the first (for
   * {@link zoneRecords}, which has no zone, in `errors`).
   */
  collectErrors?: boolean
  /** Where {@link zoneRecords} puts collected syntax errors (with `collectErrors`) and warnings. */
  errors?: ZoneSyntaxError[]
  warnings?: ZoneDiagnostic[]
  /** `$INCLUDE` policy (default `'allow'`). */
  include?: IncludePolicy
  /** Directory relative `$INCLUDE` paths resolve against when there is no `fileName`. */
  baseDir?: string
  /** File reading seam (default: node:fs). */
  files?: ZoneFileSource
  /** Keep each record's file/line/column for {@link Zone.positionOf} (default true). */
  positions?: boolean
}

/**
 * Parses master-file text into a {@link Zone}.
 *
 * @example
 * const zone = parseZone('@ 3600 IN SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\nns A 192.0.2.1\n', { origin: 'example.com.' })
 * zone.rrset('ns.example.com.', 'A')?.records[0]?.data // '192.0.2.1'
 * @throws ZoneSyntaxError at the first error unless `collectErrors` is set.
 */
export function parseZone(text: string, options: ParseZoneOptions = {}): Zone {
  const zone = newZone(options)
  const state = new ParseState(options, zone.warnings, options.collectErrors ? zone.errors : undefined)
  const sink = zoneSink(zone, options.positions !== false)
  const file = options.fileName ?? '<zone>'
  runSync(new FileScanner(new Lexer(toByteText(text), file), zone.origin, state), state, sink, [file])
  return zone
}

/**
 * Reads a zone file into a {@link Zone}, streaming it so the text is never held whole.
 *
 * @example const zone = await readZoneFile('/etc/bind/db.example', { origin: 'example.com.' })
 */
export async function readZoneFile(path: string, options: ParseZoneOptions = {}): Promise<Zone> {
  const zone = newZone(options)
  const state = new ParseState(options, zone.warnings, options.collectErrors ? zone.errors : undefined)
  await scanFile(path, zone.origin, state, zoneSink(zone, options.positions !== false), [])
  return zone
}

/**
 * Streams the records of a zone file (a path) or of a readable stream / async iterable of text
 * chunks, for zones too large to hold. Records arrive in file order; duplicates are not merged.
 *
 * @example for await (const rr of zoneRecords('big.zone', { origin: 'example.' })) count++
 */
export async function* zoneRecords(
  source: string | Readable | AsyncIterable<string | Buffer>,
  options: ParseZoneOptions = {},
): AsyncGenerator<ZoneRecord, void, undefined> {
  const origin = absoluteOrigin(options.origin)
  if (options.collectErrors && options.errors === undefined) {
    throw new DnsHaError('ERR_CONFIG', 'zoneRecords with collectErrors needs an errors array to collect into')
  }
  const state = new ParseState(options, options.warnings ?? [], options.collectErrors ? options.errors : undefined)
  let batch: ZoneRecord[] = []
  const sink: Sink = (name, type, key, ttl, data) => {
    batch.push({ name, type: key, class: state.classKey, ttl, data: recordData(type, data) })
  }
  const chunks = typeof source === 'string' ? undefined : source
  const path = typeof source === 'string' ? source : (options.fileName ?? '<stream>')
  for await (const _ of scanChunks(path, chunks, origin, state, sink, [])) {
    if (batch.length > 0) {
      const out = batch
      batch = []
      yield* out
    }
  }
  yield* batch
}

// ---- scanning --------------------------------------------------------------------------------

/**
 * Where parsed records go: the type number and dns-packet key, and the rdata (TXT packed as its
 * wire form in a latin1 string, which the zone keeps as is).
 */
type Sink = (name: string, type: number, key: string, ttl: number, data: unknown, file: string, line: number, column: number) => void

interface IncludeRequest {
  path: string
  origin: string
  line: number
  column: number
  text: string
}

/** State shared by a file and the files it includes. */
class ParseState {
  defaultTtl: number | undefined
  lastTtl: number | undefined
  readonly zoneClass: number
  readonly classKey: string
  rfc1035Warned = false
  readonly files: ZoneFileSource
  constructor(
    readonly options: ParseZoneOptions,
    readonly warnings: ZoneDiagnostic[],
    readonly errors: ZoneSyntaxError[] | undefined,
  ) {
    this.defaultTtl = options.defaultTtl
    const k = classNumber(options.class ?? 'IN')
    this.zoneClass = k ?? 1
    this.classKey = packetClassName(this.zoneClass)
    this.files = options.files ?? nodeFiles
  }

  fail(e: unknown): void {
    if (this.errors !== undefined && e instanceof ZoneSyntaxError) this.errors.push(e)
    else throw e
  }
}

/** Reads one file's entries; `$INCLUDE` is returned to the driver. */
class FileScanner {
  readonly reader: RdataReader
  /**
   * @param lastOwner the owner a blank-owner line means: none at the start of a zone (BIND: "no
   *   current owner name"); an included file continues with the including file's.
   */
  constructor(
    readonly lex: Lexer,
    public origin: string,
    readonly state: ParseState,
    public lastOwner: string | undefined = undefined,
  ) {
    this.reader = new RdataReader(lex, origin)
  }

  /** Processes entries until the buffered text runs out, the file ends or an `$INCLUDE`. */
  run(sink: Sink): 'eof' | 'more' | IncludeRequest {
    const lex = this.lex
    for (;;) {
      let r
      try {
        r = lex.readEntry()
      } catch (e) {
        this.state.fail(e)
        lex.skipLine()
        continue
      }
      if (r !== 'entry') return r
      try {
        const first = lex.tokens[0] as string
        if (!lex.blankOwner && first.charCodeAt(0) === 0x24 && !lex.quoted[0]) {
          const inc = this.directive(sink)
          if (inc !== undefined) return inc
        } else {
          this.record(lex, this.reader, sink, undefined)
        }
      } catch (e) {
        this.state.fail(e)
      }
    }
  }

  private directive(sink: Sink): IncludeRequest | undefined {
    const lex = this.lex
    const word = (lex.tokens[0] as string).toUpperCase()
    const r = this.reader
    r.origin = this.origin
    r.i = 1
    switch (word) {
      case '$ORIGIN': {
        this.origin = r.name('$ORIGIN name')
        r.end()
        return undefined
      }
      case '$TTL': {
        const t = r.word('$TTL value')
        const ttl = parseTtl(t)
        if (ttl === undefined) throw lex.errorAt(1, `bad TTL '${t}'`)
        r.end()
        this.state.defaultTtl = this.clampTtl(ttl, 1)
        return undefined
      }
      case '$INCLUDE': {
        const file = r.word('$INCLUDE file name')
        const origin = r.more() ? r.name('$INCLUDE origin') : this.origin
        r.end()
        return { path: file, origin, line: lex.lines[0] as number, column: lex.columns[0] as number, text: lex.tokens[0] + ' ' + file }
      }
      case '$GENERATE':
        this.generate(sink)
        return undefined
      default:
        throw lex.errorAt(0, `unknown directive '${lex.tokens[0]}'`)
    }
  }

  /** One record entry of `lex` (the file's lexer, or a `$GENERATE` line's). */
  private record(lex: Lexer, r: RdataReader, sink: Sink, at: { line: number; column: number } | undefined): void {
    const state = this.state
    let i = 0
    let owner: string
    if (lex.blankOwner) {
      if (this.lastOwner === undefined) throw lex.errorAt(0, 'no current owner name (a blank owner field needs an owner on a previous line)')
      owner = this.lastOwner
    } else {
      const t = lex.tokens[0] as string
      const n = parseName(t, this.origin)
      if (typeof n !== 'string') throw lex.errorAt(0, `bad owner name '${t}': ${n.error}`)
      owner = flatten(n)
      i = 1
    }
    let ttl: number | undefined
    let klass: number | undefined
    let type: number | undefined
    let classAt = 0
    for (; i < lex.count; i++) {
      const t = lex.tokens[i] as string
      const c = t.charCodeAt(0)
      if (c >= 0x30 && c <= 0x39 && ttl === undefined) {
        ttl = parseTtl(t)
        if (ttl === undefined) throw lex.errorAt(i, `bad TTL '${t}'`)
        continue
      }
      if (klass === undefined) {
        const k = classOf(t)
        if (k !== undefined) {
          klass = k
          classAt = i
          continue
        }
      }
      type = typeNumber(t)
      if (type === undefined || lex.quoted[i]) throw lex.errorAt(i, `unknown RR type '${t}'`)
      i++
      break
    }
    if (type === undefined) throw lex.errorAt(lex.count, 'missing RR type')
    if (klass !== undefined && klass !== state.zoneClass) {
      throw lex.errorAt(classAt, `class ${classMnemonic(klass)} does not match zone class ${classMnemonic(state.zoneClass)}`)
    }
    if (type === 251 || type === 252 || type === 253 || type === 254 || type === 255 || type === 41 || type === 249 || type === 250) {
      throw lex.errorAt(i - 1, `meta type '${lex.tokens[i - 1]}' is not allowed in a zone file`)
    }
    r.origin = this.origin
    r.i = i
    const rdata = parseRdata(type, r)
    const line = at?.line ?? lex.entryLine
    const column = at?.column ?? (lex.blankOwner ? (lex.columns[0] as number) : lex.entryColumn)
    if (ttl !== undefined) {
      ttl = this.clampTtl(ttl, 0)
      state.lastTtl = ttl
    } else if (state.defaultTtl !== undefined) {
      ttl = state.defaultTtl
    } else if (type === 6) {
      ttl = (rdata.data as { minimum: number }).minimum
      state.lastTtl = ttl
      state.warnings.push({ code: 'no-ttl-soa-minimum', message: 'no TTL specified; using SOA MINTTL instead', file: lex.file, line, column })
    } else if (state.lastTtl !== undefined) {
      ttl = state.lastTtl
      if (!state.rfc1035Warned) {
        state.rfc1035Warned = true
        state.warnings.push({ code: 'rfc1035-ttl', message: 'no $TTL: using RFC 1035 TTL semantics (the last explicit TTL)', file: lex.file, line, column })
      }
    } else {
      throw new ZoneSyntaxError('no TTL specified', { file: lex.file, line, column, text: lex.tokens[0] as string })
    }
    if (at === undefined) this.lastOwner = owner
    sink(owner, type, rdata.type, ttl, rdata.data, lex.file, line, column)
  }

  private clampTtl(ttl: number, at: number): number {
    if (ttl <= 0x7fffffff) return ttl
    const lex = this.lex
    this.state.warnings.push({
      code: 'ttl-too-large', message: `TTL ${ttl} > MAXTTL, setting TTL to 0`, file: lex.file,
      line: lex.lines[at] ?? lex.entryLine, column: lex.columns[at] ?? lex.entryColumn,
    })
    return 0
  }

  /**
   * `$GENERATE start-stop[/step] lhs [ttl] [class] type rhs` (BIND). As in BIND, only lhs and
   * rhs are expanded, and rhs is one token: rdata with spaces is quoted, and the text inside the
   * quotes (with `\"` unescaped) is read as the record's rdata (`"10 mail$"` for MX).
   */
  private generate(sink: Sink): void {
    const lex = this.lex
    if (lex.count < 4) throw lex.errorAt(lex.count, '$GENERATE needs a range, an owner, a type and rdata')
    const range = /^(\d+)-(\d+)(?:\/(\d+))?$/.exec(lex.tokens[1] as string)
    if (!range) throw lex.errorAt(1, `bad $GENERATE range '${lex.tokens[1]}'`)
    const start = Number(range[1])
    const stop = Number(range[2])
    const step = range[3] === undefined ? 1 : Number(range[3])
    if (start > stop || step < 1 || stop > 0x7fffffff) throw lex.errorAt(1, `bad $GENERATE range '${lex.tokens[1]}'`)
    // lhs, then at most a TTL and a class (either order), then the type and one rdata token.
    let typeAt = 3
    for (let seen = 0; seen < 2 && typeAt < lex.count && !lex.quoted[typeAt]; seen++) {
      const t = lex.tokens[typeAt] as string
      const c = t.charCodeAt(0)
      if ((c >= 0x30 && c <= 0x39) || classOf(t) !== undefined) typeAt++
      else break
    }
    const rhsAt = typeAt + 1
    if (rhsAt >= lex.count) throw lex.errorAt(lex.count, '$GENERATE needs rdata after the type')
    if (rhsAt + 1 < lex.count) throw lex.errorAt(rhsAt + 1, 'extra input text: $GENERATE takes one rdata token (quote rdata that has spaces)')
    const lhs = lex.quoted[2] ? `"${lex.tokens[2]}"` : (lex.tokens[2] as string)
    const middle = lex.tokens.slice(3, rhsAt).join(' ')
    const rhs = lex.quoted[rhsAt] ? unquoteGenerateRhs(lex.tokens[rhsAt] as string) : (lex.tokens[rhsAt] as string)
    const at = { line: lex.lines[0] as number, column: lex.columns[0] as number }
    for (let v = start; v <= stop; v += step) {
      const owner = expandGenerate(lhs, v)
      if (owner === undefined) throw lex.errorAt(2, `bad $GENERATE modifier or value out of range in '${lex.tokens[2]}'`)
      const rdata = expandGenerate(rhs, v)
      if (rdata === undefined) throw lex.errorAt(rhsAt, `bad $GENERATE modifier or value out of range in '${lex.tokens[rhsAt]}'`)
      const sub = new Lexer(`${owner} ${middle} ${rdata}\n`, lex.file)
      try {
        if (sub.readEntry() !== 'entry') throw sub.errorAt(0, 'empty $GENERATE expansion')
        this.record(sub, new RdataReader(sub, this.origin), sink, at)
      } catch (e) {
        if (!(e instanceof ZoneSyntaxError)) throw e
        // Place the error on the $GENERATE line: the owner's errors at lhs, the rest at rhs.
        const ownerError = e.column === 1 && sub.count > 0
        throw lex.errorAt(ownerError ? 2 : rhsAt, `$GENERATE (at ${v}): ${e.reason} in '${e.text}'`)
      }
    }
  }
}

/** A quoted `$GENERATE` rhs as BIND's lexer hands it on: the quotes gone, `\"` made `"`. */
function unquoteGenerateRhs(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i)
    if (c === '\\' && i + 1 < text.length) {
      const d = text.charAt(++i)
      out += d === '"' ? d : c + d
    } else out += c
  }
  return out
}

const INT_MAX = 0x7fffffff

/**
 * Expands a `$GENERATE` field for iteration value `value` as BIND does: `$` is the value,
 * `${offset[,width[,base]]}` adds offset (which may go negative) and pads to width in base d, o,
 * x, X or nibbles n/N (`${0,0,n}` of 0x12 is `2.1`, reversed hex digits joined by dots, width
 * counting the dots), `$$` is a literal `$`, and a backslash keeps the next character as it is
 * (`\$` stays `\$`, a literal `$` for the name or rdata parser). `undefined` for a malformed
 * modifier or a value above 2^31-1.
 */
export function expandGenerate(field: string, value: number): string | undefined {
  let out = ''
  for (let i = 0; i < field.length; i++) {
    const c = field.charAt(i)
    if (c === '\\') {
      out += field.slice(i, i + 2)
      i++
    } else if (c === '$') {
      let delta = 0
      let width = 0
      let base = 'd'
      if (field.charAt(i + 1) === '$') {
        out += '$'
        i++
        continue
      }
      if (field.charAt(i + 1) === '{') {
        const close = field.indexOf('}', i)
        if (close < 0) return undefined
        const m = /^([+-]?\d+)(?:,(\+?\d+)(?:,([doxXnN]))?)?$/.exec(field.slice(i + 2, close))
        if (!m) return undefined
        delta = Number(m[1])
        width = m[2] === undefined ? 0 : Number(m[2])
        base = m[3] ?? 'd'
        if (width > 127) return undefined // BIND formats into 128 bytes
        i = close
      }
      if (value > 0 && delta > INT_MAX - value) return undefined
      out += formatGenerated(value + delta, width, base)
    } else out += c
  }
  return out
}

/** C's `%0<width><base>` of an int (o, x and X print it as unsigned 32-bit), or BIND's nibbles. */
function formatGenerated(n: number, width: number, base: string): string {
  switch (base) {
    case 'o': return (n >>> 0).toString(8).padStart(width, '0')
    case 'x': return (n >>> 0).toString(16).padStart(width, '0')
    case 'X': return (n >>> 0).toString(16).toUpperCase().padStart(width, '0')
    case 'n': case 'N': return nibbles(n >>> 0, width, base === 'N')
    default: return n < 0 ? '-' + String(-n).padStart(width - 1, '0') : String(n).padStart(width, '0')
  }
}

/** BIND's `nibbles()`: hex digits lowest first, separated by dots, padded with `0` labels to `width` characters. */
function nibbles(value: number, width: number, upper: boolean): string {
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef'
  let out = ''
  let v = value
  let w = width
  do {
    out += digits.charAt(v & 0xf)
    v >>>= 4
    if (w > 0) w--
    if (w > 0 || v !== 0) {
      out += '.'
      if (w > 0) w--
    }
  } while (v !== 0 || w > 0)
  return out
}

function runSync(scanner: FileScanner, state: ParseState, sink: Sink, stack: string[]): void {
  for (;;) {
    const r = scanner.run(sink)
    if (r === 'eof' || r === 'more') return
    try {
      const path = resolveInclude(r, scanner, state, stack)
      let text: string
      try {
        text = state.files.readFileSync(path)
      } catch (e) {
        throw includeError(`cannot read $INCLUDE file '${r.path}': ${(e as Error).message}`, r, scanner)
      }
      const child = new FileScanner(new Lexer(toByteText(text), path), r.origin, state, scanner.lastOwner)
      runSync(child, state, sink, [...stack, path])
    } catch (e) {
      state.fail(e)
    }
  }
}

async function scanFile(path: string, origin: string, state: ParseState, sink: Sink, stack: string[]): Promise<void> {
  for await (const _ of scanChunks(path, undefined, origin, state, sink, stack)) {
    // records went to the sink
  }
}

/**
 * Scans a file (or the given chunks) incrementally; yields after each chunk so a consumer can
 * drain what the sink collected.
 */
async function* scanChunks(
  path: string,
  chunks: AsyncIterable<string | Buffer> | undefined,
  origin: string,
  state: ParseState,
  sink: Sink,
  stack: string[],
  lastOwner?: string,
): AsyncGenerator<void> {
  const source: AsyncIterable<string | Buffer> =
    chunks ?? (state.files.stream ? state.files.stream(path) : streamOf(state.files.readFile(path)))
  const lex = new Lexer('', path, false)
  const scanner = new FileScanner(lex, origin, state, lastOwner)
  const here = [...stack, path]
  let carry = ''
  const drain = async function* (): AsyncGenerator<void> {
    for (;;) {
      const r = scanner.run(sink)
      if (r === 'eof' || r === 'more') return
      try {
        const inc = resolveInclude(r, scanner, state, here)
        try {
          yield* scanChunks(inc, undefined, r.origin, state, sink, here, scanner.lastOwner)
        } catch (e) {
          if (e instanceof ZoneSyntaxError) throw e
          throw includeError(`cannot read $INCLUDE file '${r.path}': ${(e as Error).message}`, r, scanner)
        }
      } catch (e) {
        state.fail(e)
      }
    }
  }
  for await (const chunk of source) {
    const text = carry + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'))
    const cut = text.lastIndexOf('\n') + 1
    carry = text.slice(cut)
    if (cut === 0) continue
    lex.append(text.slice(0, cut), false)
    yield* drain()
    yield
  }
  lex.append(carry, true)
  yield* drain()
  yield
}

async function* streamOf(text: Promise<string>): AsyncGenerator<string> {
  yield await text
}

function resolveInclude(r: IncludeRequest, scanner: FileScanner, state: ParseState, stack: string[]): string {
  const policy = state.options.include ?? 'allow'
  if (policy === 'deny') throw includeError('$INCLUDE is not allowed', r, scanner)
  const base = scanner.lex.file.startsWith('<') ? (state.options.baseDir ?? process.cwd()) : dirname(scanner.lex.file)
  const path = isAbsolutePath(r.path) ? r.path : resolve(base, r.path)
  if (typeof policy === 'object') {
    // Compared after resolving symbolic links (when the file source can), so a link inside the
    // jail to a file outside it does not get through.
    const real = (p: string): string => {
      try {
        return state.files.realpath?.(p) ?? p
      } catch {
        return p
      }
    }
    const rel = relative(real(resolve(policy.jail)), real(path))
    if (rel === '..' || rel.startsWith('..' + sep) || isAbsolutePath(rel)) throw includeError(`$INCLUDE file '${r.path}' is outside ${policy.jail}`, r, scanner)
  }
  if (stack.includes(path)) throw includeError(`$INCLUDE loop: '${r.path}' includes itself`, r, scanner)
  if (stack.length > 20) throw includeError('$INCLUDE nested too deeply', r, scanner)
  return path
}

function includeError(message: string, r: IncludeRequest, scanner: FileScanner): ZoneSyntaxError {
  return new ZoneSyntaxError(message, { file: scanner.lex.file, line: r.line, column: r.column, text: r.text }, 'ERR_ZONE_INCLUDE')
}

function classOf(t: string): number | undefined {
  if (t === 'IN') return 1
  if (t.length < 2) return undefined
  const c = t.charCodeAt(0) | 0x20
  if (c !== 0x69 && c !== 0x63 && c !== 0x68 && c !== 0x6e && c !== 0x61) return undefined // i c h n a
  return classNumber(t)
}

function newZone(options: ParseZoneOptions): Zone {
  return new Zone(absoluteOrigin(options.origin), options.class === undefined ? {} : { class: options.class })
}

function absoluteOrigin(origin: string | undefined): string {
  if (origin === undefined || origin === '' || origin === '.') return '.'
  const n = parseName(origin, '.')
  if (typeof n !== 'string') throw new ZoneSyntaxError(`bad origin '${origin}': ${n.error}`, { file: '<options>', line: 1, column: 1, text: origin })
  return isAbsolute(origin) ? n : n
}

function zoneSink(zone: Zone, positions: boolean): Sink {
  return positions
    ? (name, type, _key, ttl, data, file, line, column) => addParsedRecord(zone, name, type, ttl, data, file, line, column)
    : (name, type, _key, ttl, data) => addParsedRecord(zone, name, type, ttl, data, undefined, 0, 0)
}

/** Text as one char per byte: characters above U+00FF are replaced by their UTF-8 bytes. */
function toByteText(text: string): string {
   
  return /[^\u0000-\u00ff]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text
}

/** The default {@link ZoneFileSource}: node:fs, latin1. */
export const nodeFiles: ZoneFileSource = {
  readFileSync: (path) => readFileSync(path, 'latin1'),
  readFile: (path) => readFile(path, 'latin1'),
  realpath: (path) => realpathSync(path),
  stream: (path) => latin1Pieces(createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>),
}

/** Text pieces a parse step consumes before the next young-generation GC. */
const PIECE = 1 << 16

/**
 * A file read in large blocks (few reads) handed on as small latin1 strings: a 1 MB string
 * would be allocated straight into the old generation and linger there until a full GC, while
 * small pieces die young. This keeps peak memory near what the zone itself holds.
 */
async function* latin1Pieces(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  for await (const block of source) {
    for (let i = 0; i < block.length; i += PIECE) yield block.toString('latin1', i, Math.min(block.length, i + PIECE))
  }
}

