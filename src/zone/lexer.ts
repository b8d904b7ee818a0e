/**
 * The master-file lexer (RFC 1035 §5.1): splits text into entries (one logical line, with
 * parentheses joining physical lines) of tokens, on char codes, reusing its token arrays.
 * Text is one char per byte (parse.ts hands it bytes: files and Buffers as they are, strings
 * as their UTF-8), so escapes mean bytes and columns count bytes.
 */
import { ZoneSyntaxError } from './errors.js'

/** What {@link Lexer.readEntry} found. */
export type LexResult = 'entry' | 'eof' | 'more'

const SPACE = 0x20
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const LPAREN = 0x28
const RPAREN = 0x29
const SEMI = 0x3b
const BACKSLASH = 0x5c

/**
 * Tokenizer over a text buffer that may grow (streaming): `append` more text, and `readEntry`
 * answers `'more'` when the buffered text ends inside an entry that is not known to be complete.
 */
export class Lexer {
  /** Raw token text: escapes kept; for quoted tokens the text between the quotes. */
  readonly tokens: string[] = []
  /** Whether each token was quoted. */
  readonly quoted: boolean[] = []
  /** 1-based line of each token. */
  readonly lines: number[] = []
  /** 1-based column of each token. */
  readonly columns: number[] = []
  /** Number of tokens in the current entry. */
  count = 0
  /** True when the current entry began with whitespace (owner omitted: previous owner). */
  blankOwner = false
  /** Line and column where the current entry starts. */
  entryLine = 1
  entryColumn = 1

  #text: string
  #pos = 0
  #line = 1
  #lineStart = 0
  #final: boolean

  constructor(
    text: string,
    readonly file: string,
    final = true,
  ) {
    this.#text = text
    this.#final = final
  }

  /** Adds text (whole lines, unless `final`) after what is buffered, dropping consumed text. */
  append(text: string, final: boolean): void {
    this.#text = this.#text.slice(this.#pos) + text
    this.#lineStart -= this.#pos
    this.#pos = 0
    this.#final = final
  }

  /** Skips the rest of the current physical line: error recovery in collect-errors mode. */
  skipLine(): void {
    const text = this.#text
    while (this.#pos < text.length && text.charCodeAt(this.#pos) !== LF) this.#pos++
    if (this.#pos < text.length) {
      this.#pos++ // past the newline, as readEntry does before counting it
      this.#newline()
    }
  }

  /** Reads the next entry into `tokens`; blank and comment-only lines are skipped. */
  readEntry(): LexResult {
    const text = this.#text
    const len = text.length
    for (;;) {
      const startPos = this.#pos
      const startLine = this.#line
      const startLineStart = this.#lineStart
      this.count = 0
      this.blankOwner = false
      let depth = 0
      let openLine = 0
      let openColumn = 0
      let pos = this.#pos
      if (pos >= len) return 'eof'
      const first = text.charCodeAt(pos)
      if (first === SPACE || first === TAB) this.blankOwner = true
      this.entryLine = this.#line
      this.entryColumn = pos - this.#lineStart + 1
      let incomplete = false
      scan: while (pos < len) {
        const c = text.charCodeAt(pos)
        if (c === SPACE || c === TAB || c === CR) {
          pos++
        } else if (c === LF) {
          pos++
          this.#pos = pos
          this.#newline()
          if (depth === 0) break scan
        } else if (c === SEMI) {
          while (pos < len && text.charCodeAt(pos) !== LF) pos++
        } else if (c === LPAREN) {
          if (depth === 0) {
            openLine = this.#line
            openColumn = pos - this.#lineStart + 1
          }
          depth++
          pos++
        } else if (c === RPAREN) {
          if (depth === 0) {
            this.#pos = pos
            throw this.#error('unbalanced parentheses', ')', pos)
          }
          depth--
          pos++
        } else if (c === QUOTE) {
          const begin = pos + 1
          let p = begin
          for (;;) {
            if (p >= len) {
              if (!this.#final) {
                incomplete = true
                break scan
              }
              this.#pos = pos
              throw this.#error('unterminated quoted string', text.slice(pos, Math.min(len, pos + 40)), pos)
            }
            const q = text.charCodeAt(p)
            if (q === BACKSLASH) p += 2
            else if (q === QUOTE) break
            else if (q === LF) {
              this.#pos = pos
              throw this.#error('unterminated quoted string', text.slice(pos, p), pos)
            } else p++
          }
          this.#push(text.slice(begin, p), true, pos)
          pos = p + 1
        } else {
          const begin = pos
          while (pos < len) {
            const q = text.charCodeAt(pos)
            if (q === BACKSLASH) {
              pos += 2
              continue
            }
            if (q === SPACE || q === TAB || q === LF || q === CR || q === SEMI || q === LPAREN || q === RPAREN || q === QUOTE) break
            pos++
          }
          if (pos > len) pos = len
          this.#push(text.slice(begin, pos), false, begin)
        }
      }
      if (pos >= len && this.#pos < pos) this.#pos = pos
      if (incomplete || (depth > 0 && pos >= len)) {
        if (!this.#final) {
          this.#pos = startPos
          this.#line = startLine
          this.#lineStart = startLineStart
          return 'more'
        }
        if (depth > 0) {
          this.#pos = len
          throw new ZoneSyntaxError('unbalanced parentheses: "(" not closed', { file: this.file, line: openLine, column: openColumn, text: '(' })
        }
      }
      if (this.count > 0) return 'entry'
      if (this.#pos >= len) return 'eof'
    }
  }

  /** A syntax error at token `i` of the current entry. */
  errorAt(i: number, message: string): ZoneSyntaxError {
    const k = Math.min(i, this.count - 1)
    if (k < 0) return new ZoneSyntaxError(message, { file: this.file, line: this.entryLine, column: this.entryColumn, text: '' })
    return new ZoneSyntaxError(message, {
      file: this.file,
      line: this.lines[k] as number,
      column: i >= this.count ? (this.columns[k] as number) + (this.tokens[k] as string).length : (this.columns[k] as number),
      text: i >= this.count ? '' : (this.tokens[k] as string),
    })
  }

  #push(token: string, quoted: boolean, at: number): void {
    const i = this.count++
    this.tokens[i] = token
    this.quoted[i] = quoted
    this.lines[i] = this.#line
    this.columns[i] = at - this.#lineStart + 1
  }

  #newline(): void {
    this.#line++
    this.#lineStart = this.#pos
  }

  #error(message: string, token: string, at: number): ZoneSyntaxError {
    return new ZoneSyntaxError(message, { file: this.file, line: this.#line, column: at - this.#lineStart + 1, text: token })
  }
}
