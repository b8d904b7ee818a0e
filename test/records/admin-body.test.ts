// readRequestBody over an in-memory request stream: one buffer of the declared size, chunked
// bodies within and over the limit, a declared size over the limit left unread, a short body.
import type { IncomingMessage } from 'node:http'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readRequestBody } from '../../src/records/admin-body.js'

function request(headers: Record<string, string>, chunks: string[], end = true): IncomingMessage & PassThrough {
  const stream = Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough
  queueMicrotask(() => {
    for (const c of chunks) stream.write(Buffer.from(c))
    if (end) stream.end()
    else stream.destroy()
  })
  return stream
}

describe('readRequestBody', () => {
  it('reads a body with a Content-Length, sent in pieces, into one buffer of that size', async () => {
    const read = await readRequestBody(request({ 'content-length': '11' }, ['hello', ' ', 'world']), 100)
    expect(read.kind).toBe('body')
    if (read.kind !== 'body') return
    expect(read.body.toString()).toBe('hello world')
    expect(read.body.length).toBe(11)
  })

  it('reads a chunked body within the limit', async () => {
    const read = await readRequestBody(request({ 'transfer-encoding': 'chunked' }, ['{"a":', '1}']), 100)
    expect(read.kind === 'body' && read.body.toString()).toBe('{"a":1}')
  })

  it('refuses a chunked body once it passes the limit', async () => {
    expect(await readRequestBody(request({ 'transfer-encoding': 'chunked' }, ['12345', '67890', 'x']), 10)).toEqual({ kind: 'too-large' })
    expect((await readRequestBody(request({ 'transfer-encoding': 'chunked' }, ['12345', '67890']), 10)).kind).toBe('body')
  })

  it('refuses a declared size over the limit without reading', async () => {
    const req = request({ 'content-length': '11' }, ['hello world'])
    expect(await readRequestBody(req, 10)).toEqual({ kind: 'too-large' })
    expect(req.readableDidRead).toBe(false)
  })

  it('reports a body shorter than declared, or a client gone, as incomplete', async () => {
    expect((await readRequestBody(request({ 'content-length': '11' }, ['hello']), 100)).kind).toBe('incomplete')
    expect((await readRequestBody(request({ 'content-length': '11' }, ['hello'], false), 100)).kind).toBe('incomplete')
    expect((await readRequestBody(request({ 'content-length': 'x1' }, []), 100)).kind).toBe('incomplete')
  })

  it('reads an empty body', async () => {
    const read = await readRequestBody(request({ 'content-length': '0' }, []), 100)
    expect(read.kind === 'body' && read.body.length).toBe(0)
  })
})
