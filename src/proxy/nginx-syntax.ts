/**
 * The nginx configuration syntax, as far as a `stream` block needs it: words, quoted strings
 * (`"..."`, `'...'`, with backslash escapes), `#` comments, `;` and `{ }`, read into a tree of
 * directives that keeps the line and column of every word, so each error can name
 * `file:line:column`. Variables are left as written (`$remote_addr`).
 */
import { ConfigSyntaxError } from '../util/errors.js'

/** One word of a directive, with its 1-based position. */
export interface NginxToken {
  text: string
  line: number
  column: number
}

/** A directive: its name, its arguments and, for `name args { ... }`, the directives inside. */
export interface NginxDirective {
  name: NginxToken
  args: NginxToken[]
  block: NginxDirective[] | undefined
}

type Lexeme = NginxToken & { kind: 'word' | '{' | '}' | ';' | 'eof' }

/** Reads `text` into directives; syntax errors throw {@link ConfigSyntaxError} at the offending character. */
export function parseNginxDirectives(text: string, file: string): NginxDirective[] {
  const lexer = new Lexer(text, file)
  const top = readBlock(lexer, file, true)
  return top
}

function readBlock(lexer: Lexer, file: string, topLevel: boolean): NginxDirective[] {
  const out: NginxDirective[] = []
  for (;;) {
    const first = lexer.next()
    if (first.kind === 'eof') {
      if (topLevel) return out
      throw at(file, first, 'unexpected end of file, expecting "}"')
    }
    if (first.kind === '}') {
      if (topLevel) throw at(file, first, 'unexpected "}"')
      return out
    }
    if (first.kind !== 'word') throw at(file, first, `unexpected "${first.kind}"`)
    const args: NginxToken[] = []
    for (;;) {
      const t = lexer.next()
      if (t.kind === 'word') args.push(strip(t))
      else if (t.kind === ';') {
        out.push({ name: strip(first), args, block: undefined })
        break
      } else if (t.kind === '{') {
        out.push({ name: strip(first), args, block: readBlock(lexer, file, false) })
        break
      } else if (t.kind === 'eof') throw at(file, t, 'unexpected end of file, expecting ";" or "}"')
      else throw at(file, t, 'unexpected "}"')
    }
  }
}

function strip(t: Lexeme): NginxToken {
  return { text: t.text, line: t.line, column: t.column }
}

function at(file: string, t: { line: number; column: number }, reason: string): ConfigSyntaxError {
  return new ConfigSyntaxError(reason, { file, line: t.line, column: t.column }, { code: 'ERR_PROXY_CONFIG' })
}

class Lexer {
  private i = 0
  private line = 1
  private lineStart = 0

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  next(): Lexeme {
    this.skipSpaceAndComments()
    const line = this.line
    const column = this.i - this.lineStart + 1
    const c = this.text[this.i]
    if (c === undefined) return { kind: 'eof', text: '', line, column }
    if (c === '{' || c === '}' || c === ';') {
      this.i++
      return { kind: c, text: c, line, column }
    }
    if (c === '"' || c === "'") return { kind: 'word', text: this.quoted(c, line, column), line, column }
    let word = ''
    for (;;) {
      const d = this.text[this.i]
      if (d === undefined || d === '{' || d === '}' || d === ';' || isSpace(d)) break
      if (d === '\\' && this.i + 1 < this.text.length) {
        word += this.text[this.i + 1]
        this.i += 2
        continue
      }
      word += d
      this.i++
    }
    return { kind: 'word', text: word, line, column }
  }

  private quoted(quote: string, line: number, column: number): string {
    this.i++
    let out = ''
    for (;;) {
      const d = this.text[this.i]
      if (d === undefined) throw at(this.file, { line, column }, 'unterminated quoted string')
      if (d === quote) {
        this.i++
        break
      }
      if (d === '\\' && this.i + 1 < this.text.length) {
        const e = this.text[this.i + 1]!
        // nginx keeps the backslash except before the quote, another backslash and t/r/n.
        out += e === quote || e === '\\' ? e : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'n' ? '\n' : `\\${e}`
        this.i += 2
        continue
      }
      if (d === '\n') this.newLine(this.i)
      out += d
      this.i++
    }
    // A quoted word must end where a word may end: nginx rejects `"a"b`.
    const after = this.text[this.i]
    if (after !== undefined && !isSpace(after) && after !== ';' && after !== '{' && after !== '}') {
      throw at(this.file, { line: this.line, column: this.i - this.lineStart + 1 }, `unexpected "${after}"`)
    }
    return out
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const c = this.text[this.i]
      if (c === undefined) return
      if (c === '\n') {
        this.newLine(this.i)
        this.i++
      } else if (isSpace(c)) this.i++
      else if (c === '#') {
        while (this.i < this.text.length && this.text[this.i] !== '\n') this.i++
      } else return
    }
  }

  private newLine(index: number): void {
    this.line++
    this.lineStart = index + 1
  }
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r'
}
