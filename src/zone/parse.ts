/**
 * Master-file parsing (RFC 1035 §5, RFC 2308 `$TTL`, BIND's `$GENERATE`): `parseZone` for
 * text, `readZoneFile` for a file, and `zoneRecords` streaming records of a file or stream.
 */
import { DnsHaError } from '../util/errors.js'
import { latin1Text } from '../packet/latin1.js'
import { ZoneFileError, ZoneSyntaxError } from './errors.js'
import type { ZoneFileSource } from './file-source.js'
import { nodeFiles, nodePaths } from './node-files.js'
import type { ZoneDiagnostic } from './errors.js'
import { flatten } from './kept-strings.js'
import { Lexer } from './lexer.js'
import { parseName } from './parse-name.js'
import { parseRdata } from './rdata-parse.js'
import { RdataReader } from './rdata-reader.js'
import { parseTtl } from './rdata-text.js'
import { classMnemonic, classNumber, packetClassName, typeMnemonic, typeNumber } from '../packet/types.js'
import { META_TYPES, RR } from './rr-types.js'
import { Zone, addParsedRecord, compactRecord, recordData } from './zone.js'
import { ZONE_FILE_LIMITS, ZONE_TEXT_LIMITS, limitError, markParsedWithin, resolveZoneLimits } from './limits.js'
import type { ResolvedZoneLimits, ZoneLimits } from './limits.js'
import type { ZoneRecord } from './zone.js'

/**
 * How `$INCLUDE` is treated: allowed anywhere, refused, or allowed only inside a directory
 * (compared after resolving symbolic links). Defaults: `'deny'` for {@link parseZone} (zone text
 * must not make the library read files), `{ jail: <the zone file's directory> }` for
 * {@link readZoneFile} and {@link zoneRecords} of a path.
 */
export type IncludePolicy = 'allow' | 'deny' | { jail: string }

/**
 * Options of {@link parseZone}, {@link readZoneFile} and {@link zoneRecords}. The {@link ZoneLimits}
 * fields (`maxRecords`, `maxRecordsPerType`, `maxTypesPerName`, `maxGenerate`, `maxIncludeDepth`,
 * `maxZoneBytes`) bound the zone; crossing one is a `ZoneSyntaxError` (`ERR_ZONE_LIMIT`) even with
 * `collectErrors`. Defaults: {@link ZONE_TEXT_LIMITS} for parseZone, {@link ZONE_FILE_LIMITS} for files.
 */
export interface ParseZoneOptions extends ZoneLimits {
  /**
   * The zone's name: the origin at the start of the file and the zone apex. Required, as BIND
   * requires the zone name of a zone statement: without it the parser throws `ERR_ZONE_ORIGIN`
   * rather than load the zone as the root zone. Pass `'.'` for the root zone.
   */
  origin: string
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
  /** `$INCLUDE` policy (default: `'deny'` for parseZone, the zone file's directory as a jail for files). */
  include?: IncludePolicy
  /** Directory relative `$INCLUDE` paths resolve against when there is no `fileName`. */
  baseDir?: string
  /** File reading seam (default: {@link nodeFiles}, files as bytes from disk). */
  files?: ZoneFileSource
  /** Keep each record's file/line/column for {@link Zone.positionOf} (default true). */
  positions?: boolean
}

/**
 * Parses master-file text into a {@link Zone}. Zone text is bytes: a string is taken as text and
 * read as its UTF-8 bytes (`"café"` is `caf\195\169`, as BIND reads a UTF-8 file), a Buffer
 * byte for byte.
 *
 * @example
 * const zone = parseZone('@ 3600 IN SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\nns A 192.0.2.1\n', { origin: 'example.com.' })
 * zone.rrset('ns.example.com.', 'A')?.records[0]?.data // '192.0.2.1'
 * @throws ZoneSyntaxError at the first error unless `collectErrors` is set; `DnsHaError`
 *   `ERR_ZONE_ORIGIN` without `origin`.
 */
export function parseZone(text: string | Uint8Array, options: ParseZoneOptions): Zone {
  options ??= {} as ParseZoneOptions // a JavaScript caller without options gets ERR_ZONE_ORIGIN
  const file = options.fileName ?? '<zone>'
  const zone = newZone(options, file)
  const state = new ParseState(options, zone.warnings, options.collectErrors ? zone.errors : undefined, ZONE_TEXT_LIMITS, 'deny')
  const sink = zoneSink(zone, options.positions !== false, state)
  const bytes = byteText(text)
  state.countBytes(bytes, file, 0)
  runSync(new FileScanner(new Lexer(bytes, file), zone.origin, state), state, sink, [file])
  markParsedWithin(zone, state.limits)
  return zone
}

/** Options of {@link parseRecord}. */
export interface ParseRecordOptions {
  /** Name used in error messages (default `'<record>'`). */
  fileName?: string
  /** Class the record must have (default `'IN'`). */
  class?: string
  /** TTL when the line has none (as if the text began with `$TTL`). */
  defaultTtl?: number
}

/**
 * Parses one record of master-file text (one entry: a line, or lines joined by parentheses),
 * relative names taken against `origin`, without building a zone: the record in the shape a
 * {@link Zone} parsed from the same text would hold. Errors are parseZone's, with file, line and
 * column; text holding no record or more than one is `ERR_ZONE_SYNTAX` too.
 *
 * @example parseRecord('www 300 IN A 192.0.2.1', 'example.com.') // { name: 'www.example.com.', type: 'A', ... }
 * @throws ZoneSyntaxError as {@link parseZone}; `DnsHaError` `ERR_ZONE_ORIGIN` without `origin`.
 */
export function parseRecord(text: string, origin: string, options: ParseRecordOptions = {}): ZoneRecord {
  const file = options.fileName ?? '<record>'
  const apex = absoluteOrigin(origin, file)
  const state = new ParseState({ ...options, origin: apex }, [], undefined, ZONE_TEXT_LIMITS, 'deny')
  let record: ZoneRecord | undefined
  let count = 0
  const sink: Sink = (name, type, _key, ttl, data, at, line, column) => {
    if (++count > 1) throw new ZoneSyntaxError('more than one record', { file: at, line, column, text: name })
    record = compactRecord(name, type, state.classKey, ttl, data)
  }
  const bytes = byteText(text.endsWith('\n') ? text : `${text}\n`)
  state.countBytes(bytes, file, 0)
  runSync(new FileScanner(new Lexer(bytes, file), apex, state, undefined), state, sink, [file])
  if (record === undefined) throw new ZoneSyntaxError('no record', { file, line: 1, column: 1, text: '' })
  return record
}

/**
 * Reads a zone file into a {@link Zone}, streaming it so the text is never held whole.
 *
 * @example const zone = await readZoneFile('/etc/bind/db.example', { origin: 'example.com.' })
 * @throws ZoneFileError (`ERR_ZONE_FILE`) when the file cannot be read; `DnsHaError`
 *   `ERR_ZONE_ORIGIN` without `origin`; ZoneSyntaxError as {@link parseZone}.
 */
export async function readZoneFile(path: string, options: ParseZoneOptions): Promise<Zone> {
  options ??= {} as ParseZoneOptions // a JavaScript caller without options gets ERR_ZONE_ORIGIN
  const zone = newZone(options, path)
  const state = new ParseState(options, zone.warnings, options.collectErrors ? zone.errors : undefined, ZONE_FILE_LIMITS, { jail: nodePaths.dirname(path) })
  await scanFile(path, zone.origin, state, zoneSink(zone, options.positions !== false, state), [])
  markParsedWithin(zone, state.limits)
  return zone
}

/**
 * Streams the records of a zone file (a path) or of a readable stream / async iterable of
 * chunks (Buffers as bytes, strings as text read as UTF-8), for zones too large to hold. Records
 * arrive in file order; duplicates are not merged. `origin` is required as for {@link parseZone}.
 *
 * @example for await (const rr of zoneRecords('big.zone', { origin: 'example.' })) count++
 */
export async function* zoneRecords(
  source: string | AsyncIterable<string | Buffer>,
  options: ParseZoneOptions,
): AsyncGenerator<ZoneRecord, void, undefined> {
  options ??= {} as ParseZoneOptions // a JavaScript caller without options gets ERR_ZONE_ORIGIN
  const origin = absoluteOrigin(options.origin, typeof source === 'string' ? source : (options.fileName ?? '<stream>'))
  if (options.collectErrors && options.errors === undefined) {
    throw new DnsHaError('ERR_CONFIG', 'zoneRecords with collectErrors needs an errors array to collect into')
  }
  const include: IncludePolicy = typeof source === 'string' ? { jail: nodePaths.dirname(source) } : 'deny'
  const state = new ParseState(options, options.warnings ?? [], options.collectErrors ? options.errors : undefined, ZONE_FILE_LIMITS, include)
  let batch: ZoneRecord[] = []
  const sink: Sink = (name, type, key, ttl, data, file, line, column) => {
    if (++state.records > state.limits.maxRecords) throw limitError('too many records', 'maxRecords', state.limits.maxRecords, { file, line, column, text: name })
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
  readonly limits: ResolvedZoneLimits
  readonly include: IncludePolicy
  /** Records made and bytes read so far, against `maxRecords` and `maxZoneBytes`. */
  records = 0
  bytes = 0
  constructor(
    readonly options: ParseZoneOptions,
    readonly warnings: ZoneDiagnostic[],
    readonly errors: ZoneSyntaxError[] | undefined,
    defaults: ResolvedZoneLimits,
    include: IncludePolicy,
  ) {
    this.limits = resolveZoneLimits(options, defaults)
    this.include = options.include ?? include
    this.defaultTtl = options.defaultTtl
    const k = classNumber(options.class ?? 'IN')
    this.zoneClass = k ?? 1
    this.classKey = packetClassName(this.zoneClass)
    this.files = options.files ?? nodeFiles
  }

  /** Collects a syntax error (with `collectErrors`) or throws it; a limit crossed always throws. */
  fail(e: unknown): void {
    if (this.errors !== undefined && e instanceof ZoneSyntaxError && e.code !== 'ERR_ZONE_LIMIT') this.errors.push(e)
    else throw e
  }

  /**
   * Counts `text` (byte text of `file`, starting after `linesBefore` lines of it) against
   * `maxZoneBytes`; over it, the error is at the line holding the first byte too many.
   */
  countBytes(text: string, file: string, linesBefore: number): void {
    const max = this.limits.maxZoneBytes
    const before = this.bytes
    this.bytes += text.length
    if (this.bytes <= max) return
    let line = linesBefore + 1
    const cut = max - before
    for (let i = text.indexOf('\n'); i >= 0 && i < cut; i = text.indexOf('\n', i + 1)) line++
    throw limitError(`zone text is longer than ${max} bytes`, 'maxZoneBytes', max, { file, line, column: 1, text: '' })
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
        // The token is bytes; a path is text (file names are UTF-8, as the zone file is).
        const file = Buffer.from(r.word('$INCLUDE file name'), 'latin1').toString('utf8')
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
    if (META_TYPES.has(type)) {
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
    } else if (type === RR.SOA) {
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
    const count = Math.floor((stop - start) / step) + 1
    const max = this.state.limits.maxGenerate
    if (count > max) {
      throw limitError(`$GENERATE range '${lex.tokens[1]}' makes ${count} records`, 'maxGenerate', max, { file: lex.file, line: lex.lines[1] as number, column: lex.columns[1] as number, text: lex.tokens[1] as string })
    }
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
      let text: Buffer | string
      try {
        text = state.files.readFileSync(path)
      } catch (e) {
        throw unreadableInclude(path, e, r, scanner)
      }
      const bytes = byteText(text)
      state.countBytes(bytes, path, 0)
      const child = new FileScanner(new Lexer(bytes, path), r.origin, state, scanner.lastOwner)
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
 * drain what the sink collected. A file that cannot be read is a {@link ZoneFileError}.
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
          if (e instanceof ZoneFileError && e.file === inc) throw unreadableInclude(inc, e.cause, r, scanner)
          throw e
        }
      } catch (e) {
        state.fail(e)
      }
    }
  }
  let lines = 0
  for await (const text of byteChunks(path, chunks, state.files)) {
    if (state.limits.maxZoneBytes !== Infinity) {
      state.countBytes(text, path, lines)
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++
    }
    const joined = carry + text
    const cut = joined.lastIndexOf('\n') + 1
    carry = joined.slice(cut)
    if (cut === 0) continue
    lex.append(joined.slice(0, cut), false)
    yield* drain()
    yield
  }
  lex.append(carry, true)
  yield* drain()
  yield
}

/** Text pieces a parse step consumes before the next young-generation GC. */
const PIECE = 1 << 16

/**
 * The chunks (or the file) as byte text in small pieces: a file is read in large blocks (few
 * reads), but a 1 MB string would be allocated straight into the old generation and linger there
 * until a full GC, while small pieces die young. This keeps peak memory near what the zone
 * itself holds. Errors of reading the file itself become a {@link ZoneFileError}.
 */
async function* byteChunks(path: string, chunks: AsyncIterable<string | Buffer> | undefined, files: ZoneFileSource): AsyncGenerator<string> {
  let source: AsyncIterator<string | Buffer>
  if (chunks !== undefined) source = chunks[Symbol.asyncIterator]()
  else {
    try {
      source = (files.stream ? files.stream(path) : wholeFile(files, path))[Symbol.asyncIterator]()
    } catch (e) {
      throw unreadable(path, e)
    }
  }
  let done = false
  try {
    for (;;) {
      let next: IteratorResult<string | Buffer>
      try {
        next = await source.next()
      } catch (e) {
        done = true // a failed stream has closed itself
        throw chunks === undefined ? unreadable(path, e) : e
      }
      if (next.done) {
        done = true
        return
      }
      const chunk = next.value
      if (typeof chunk === 'string') yield byteText(chunk)
      else for (let i = 0; i < chunk.length; i += PIECE) yield latin1Text(chunk, i, Math.min(chunk.length, i + PIECE))
    }
  } finally {
    // A consumer that stops early (or a syntax error) closes the file, as `for await` would.
    if (!done) await source.return?.()
  }
}

async function* wholeFile(files: ZoneFileSource, path: string): AsyncGenerator<string | Buffer> {
  yield await files.readFile(path)
}

/** A zone file that could not be read (missing, a directory, no permission). */
function unreadable(path: string, e: unknown): ZoneFileError {
  return e instanceof ZoneFileError ? e : new ZoneFileError(path, e)
}

/** An `$INCLUDE`d file that could not be read, placed at the `$INCLUDE` line. */
function unreadableInclude(path: string, e: unknown, r: IncludeRequest, scanner: FileScanner): ZoneSyntaxError {
  const why = e instanceof Error ? e.message : String(e)
  return includeError(`cannot read $INCLUDE file '${r.path}' (${path}): ${why}`, r, scanner, 'ERR_ZONE_FILE')
}

function resolveInclude(r: IncludeRequest, scanner: FileScanner, state: ParseState, stack: string[]): string {
  const policy = state.include
  if (policy === 'deny') throw includeError(`$INCLUDE is not allowed (include policy 'deny': zone text does not read files unless given include: { jail: dir } or 'allow')`, r, scanner)
  const paths = nodePaths
  const base = scanner.lex.file.startsWith('<') ? (state.options.baseDir ?? paths.cwd()) : paths.dirname(scanner.lex.file)
  const path = paths.isAbsolute(r.path) ? r.path : paths.resolve(base, r.path)
  if (typeof policy === 'object') {
    // Compared after resolving symbolic links (when the file source can), so a link inside the
    // jail to a file outside it does not get through.
    const real = (p: string): string => {
      try {
        return state.files.realpath?.(p) ?? p
      } catch {
        // A file that does not exist: resolve its directory, so that it is reported unreadable, not outside.
        try {
          const dir = paths.dirname(p)
          return paths.resolve(state.files.realpath?.(dir) ?? dir, paths.relative(dir, p))
        } catch {
          return p
        }
      }
    }
    const rel = paths.relative(real(paths.resolve(paths.cwd(), policy.jail)), real(path))
    if (rel === '..' || rel.startsWith('..' + paths.sep) || paths.isAbsolute(rel)) throw includeError(`$INCLUDE file '${r.path}' is outside ${policy.jail} (include policy jail)`, r, scanner)
  }
  if (stack.includes(path)) throw includeError(`$INCLUDE loop: '${r.path}' includes itself`, r, scanner)
  const max = state.limits.maxIncludeDepth
  if (stack.length > max) throw limitError('$INCLUDE nested too deeply', 'maxIncludeDepth', max, { file: scanner.lex.file, line: r.line, column: r.column, text: r.text })
  return path
}

function includeError(message: string, r: IncludeRequest, scanner: FileScanner, code = 'ERR_ZONE_INCLUDE'): ZoneSyntaxError {
  return new ZoneSyntaxError(message, { file: scanner.lex.file, line: r.line, column: r.column, text: r.text }, code)
}

function classOf(t: string): number | undefined {
  if (t === 'IN') return 1
  if (t.length < 2) return undefined
  const c = t.charCodeAt(0) | 0x20
  if (c !== 0x69 && c !== 0x63 && c !== 0x68 && c !== 0x6e && c !== 0x61) return undefined // i c h n a
  return classNumber(t)
}

function newZone(options: ParseZoneOptions, file: string): Zone {
  return new Zone(absoluteOrigin(options.origin, file), options.class === undefined ? {} : { class: options.class })
}

/**
 * The zone's name, absolute. Required: BIND loads a zone file only under a zone statement that
 * names the zone, and a file without `$ORIGIN` silently read as the root zone serves nothing
 * anyone asked for.
 */
function absoluteOrigin(origin: string | undefined, file: string): string {
  if (origin === undefined || origin === '') {
    throw new DnsHaError('ERR_ZONE_ORIGIN', `${file}: no zone origin: pass { origin: 'example.com.' } (the zone's name; '.' for the root zone)`, { details: { file } })
  }
  if (origin === '.') return '.'
  const n = parseName(byteText(origin), '.')
  if (typeof n !== 'string') throw new ZoneSyntaxError(`bad origin '${origin}': ${n.error}`, { file: '<options>', line: 1, column: 1, text: origin })
  return n
}

/** Adds parsed records to `zone`, refusing (with the limit's error) a record that would cross one. */
function zoneSink(zone: Zone, positions: boolean, state: ParseState): Sink {
  const { maxRecords, maxRecordsPerType, maxTypesPerName } = state.limits
  return (name, type, _key, ttl, data, file, line, column) => {
    const verdict = addParsedRecord(zone, name, type, ttl, data, positions ? file : undefined, line, column, maxRecordsPerType, maxTypesPerName)
    if (verdict === 0 && zone.size <= maxRecords) return
    const at = { file, line, column, text: name }
    if (verdict === 1) throw limitError(`too many ${typeMnemonic(type)} records at ${name}`, 'maxRecordsPerType', maxRecordsPerType, at)
    if (verdict === 2) throw limitError(`too many RR types at ${name}`, 'maxTypesPerName', maxTypesPerName, at)
    throw limitError('too many records', 'maxRecords', maxRecords, at)
  }
}

/**
 * Zone text as the lexer reads it, one char per byte: a Buffer's bytes as they are, a string's
 * UTF-8 bytes (ASCII text, nearly every zone, is passed on without a copy).
 */
function byteText(text: string | Uint8Array): string {
  if (typeof text !== 'string') return latin1Text(Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength), 0, text.length)
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return Buffer.from(text, 'utf8').toString('latin1')
  return text
}
