/**
 * {@link parseBindKeys}: the `key` statements of a BIND configuration file, as `tsig-keygen`
 * prints them and `named.conf` includes them:
 *
 * ```
 * key "transfer-key" {
 *         algorithm hmac-sha256;
 *         secret "R8cVMxTSKpbDAbxB9ZhbbVVSDhpDV5b3uQjzPkcFhD4=";
 * };
 * ```
 *
 * Comments in all three BIND styles (`//`, `#`, `/* *\/`) are skipped. Anything else at the top
 * level is an error rather than skipped, so a typo cannot silently drop a key; every error is an
 * `ERR_CONFIG` whose message starts with `file:line:column`.
 */
import { DnsHaError } from '../util/errors.js'
import { TSIG_ALGORITHMS, tsigAlgorithmOf } from './algorithms.js'
import type { TsigKey } from './key.js'
import { decodeSecret } from './secret.js'
import { nameToWire } from '../packet/names.js'
import { canonicalName } from '../packet/names.js'

interface Token {
  /** `word` and `string` carry text; the rest are the punctuation itself. */
  kind: 'word' | 'string' | '{' | '}' | ';'
  text: string
  line: number
  column: number
}

/** Reads the `key` statements of `text`; `fileName` (default `<keys>`) names it in error messages. */
export function parseBindKeys(text: string, fileName = '<keys>'): TsigKey[] {
  const tokens = tokenize(text, fileName)
  const keys: TsigKey[] = []
  const seen = new Set<string>()
  let i = 0
  const fail = (message: string, at: Token | undefined): never => {
    const where = at ?? endOf(text)
    throw new DnsHaError('ERR_CONFIG', `${fileName}:${where.line}:${where.column}: ${message}`, {
      details: { file: fileName, line: where.line, column: where.column },
    })
  }
  const expect = (kind: Token['kind'], what: string): Token => {
    const t = tokens[i]
    if (!t || t.kind !== kind) return fail(`expected ${what}${t ? `, found ${JSON.stringify(t.text)}` : ' before the end of the file'}`, t)
    i++
    return t
  }

  while (i < tokens.length) {
    const start = tokens[i]!
    if (start.kind !== 'word' || start.text.toLowerCase() !== 'key') fail(`expected a key statement, found ${JSON.stringify(start.text)}`, start)
    i++
    const nameToken = tokens[i]
    if (!nameToken || (nameToken.kind !== 'word' && nameToken.kind !== 'string')) return fail('expected a key name', nameToken)
    i++
    try {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: only whether the name is valid matters here; the wire form is discarded
      nameToWire(nameToken.text, { lowerCase: true })
    } catch (cause) {
      fail((cause as Error).message, nameToken)
    }
    const name = canonicalName(nameToken.text)
    if (seen.has(name)) fail(`key ${JSON.stringify(nameToken.text)} is defined twice`, nameToken)
    seen.add(name)
    expect('{', '"{"')
    let algorithm: TsigKey['algorithm'] | undefined
    let secret: string | undefined
    while (tokens[i] && tokens[i]!.kind !== '}') {
      const clause = expect('word', 'algorithm or secret')
      const value = tokens[i]
      if (!value || (value.kind !== 'word' && value.kind !== 'string')) return fail(`expected a value for ${clause.text}`, value)
      i++
      switch (clause.text.toLowerCase()) {
        case 'algorithm':
          algorithm = tsigAlgorithmOf(value.text)
          if (!algorithm) fail(`unsupported algorithm ${JSON.stringify(value.text)} (supported: ${Object.keys(TSIG_ALGORITHMS).join(', ')})`, value)
          break
        case 'secret': {
          const decoded = decodeSecret(value.text)
          if ('error' in decoded) fail(decoded.error, value)
          secret = value.text.replace(/\s/g, '')
          break
        }
        default:
          fail(`unknown key clause ${JSON.stringify(clause.text)}`, clause)
      }
      expect(';', '";"')
    }
    expect('}', '"}"')
    expect(';', '";" after the key statement')
    if (!algorithm) fail(`key ${JSON.stringify(nameToken.text)} has no algorithm`, start)
    if (secret === undefined) fail(`key ${JSON.stringify(nameToken.text)} has no secret`, start)
    keys.push({ name, algorithm: algorithm!, secret: secret! })
  }
  return keys
}

function tokenize(text: string, fileName: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  let lineStart = 0
  let i = 0
  // Counts the newlines inside a comment or string that spans lines, for the positions after it.
  const skipLines = (from: number, to: number): void => {
    for (const newline of text.slice(from, to).matchAll(/\n/g)) {
      line++
      lineStart = from + newline.index + 1
    }
  }
  const fail = (message: string, l: number, c: number): never => {
    throw new DnsHaError('ERR_CONFIG', `${fileName}:${l}:${c}: ${message}`, { details: { file: fileName, line: l, column: c } })
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === '\n') {
      line++
      lineStart = ++i
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
      continue
    }
    const column = i - lineStart + 1
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const eol = text.indexOf('\n', i)
      i = eol === -1 ? text.length : eol
      continue
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      if (end === -1) fail('comment is never closed', line, column)
      skipLines(i, end)
      i = end + 2
      continue
    }
    if (c === '{' || c === '}' || c === ';') {
      tokens.push({ kind: c, text: c, line, column })
      i++
      continue
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1)
      if (end === -1) fail('string is never closed', line, column)
      const value = text.slice(i + 1, end)
      tokens.push({ kind: 'string', text: value, line, column })
      skipLines(i, end)
      i = end + 1
      continue
    }
    // A word ends at whitespace, punctuation, a quote or the start of a comment.
    const length = text.slice(i).search(/[\s{};"#]|\/[/*]/)
    const j = length === -1 ? text.length : i + length
    tokens.push({ kind: 'word', text: text.slice(i, j), line, column })
    i = j
  }
  return tokens
}

function endOf(text: string): { line: number; column: number } {
  const lines = text.split('\n')
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 }
}
