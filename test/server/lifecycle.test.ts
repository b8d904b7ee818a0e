import { describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import { compose } from '../../src/server/compose.js'
import type { Handler } from '../../src/server/handler.js'
import { respond } from '../../src/server/respond.js'
import { views } from '../../src/server/views.js'
import { memoryServer } from './helpers.js'

/** A handler that answers only once started (like a Forwarder before its hosts are read), logging its lifecycle. */
function lifecycleHandler(log: string[], name = 'h', startGate?: Promise<void>): Handler {
  let ready = false
  return {
    async start() {
      log.push(`${name} start`)
      await startGate
      ready = true
    },
    close() {
      log.push(`${name} close`)
      ready = false
    },
    handle(query) {
      return ready ? respond(query, { aa: true, answers: [{ name: query.question!.name, type: 'A', ttl: 60, data: '192.0.2.7' }] }) : respond(query, { rcode: 'NXDOMAIN' })
    },
  }
}

const askA = (name: string) => ({ questions: [{ name, type: 'A' as const }] })

describe('DnsServer handler lifecycle', () => {
  it('listen() awaits the handler’s start() before answering; close() closes it', async () => {
    const log: string[] = []
    let open!: () => void
    const gate = new Promise<void>((r) => (open = r))
    const pending = memoryServer(lifecycleHandler(log, 'h', gate))
    let listened = false
    void pending.then(() => (listened = true))
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    expect(log).toEqual(['h start'])
    expect(listened).toBe(false)
    open()
    const { ask, server } = await pending
    const reply = await ask(askA('printer.lan'))
    expect(reply.rcode).toBe('NOERROR')
    expect(reply.answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.7'])
    await server.close()
    expect(log).toEqual(['h start', 'h close'])
  })

  it('starts the handler once however many listen() calls; a failed start fails listen() and is retried', async () => {
    const log: string[] = []
    let fail = true
    const handler: Handler = {
      start() {
        log.push('start')
        if (fail) throw new Error('hosts file unreadable')
      },
      close() {
        log.push('close')
      },
      handle: (query) => respond(query, {}),
    }
    const { MemoryNetwork } = await import('../../src/testing/memory-network.js')
    const { DnsServer } = await import('../../src/server/dns-server.js')
    const server = new DnsServer({ handler, network: new MemoryNetwork() })
    await expect(server.listen({ port: 53 })).rejects.toThrow('hosts file unreadable')
    expect(server.addresses()).toEqual([])
    fail = false
    await server.listen({ port: 53 })
    await server.listen({ port: 54 })
    expect(log).toEqual(['start', 'start'])
    await server.close()
    expect(log).toEqual(['start', 'start', 'close'])
  })

  it('compose() and views() start and close their members', async () => {
    const log: string[] = []
    const chain = compose(lifecycleHandler(log, 'a'), (q) => (q.question?.name === 'x.test' ? respond(q, {}) : undefined), views([
      { match: ['10.0.0.0/8'], handler: lifecycleHandler(log, 'inside') },
      { match: ['any'], handler: lifecycleHandler(log, 'outside') },
    ]))
    const { server, ask } = await memoryServer(chain)
    expect(log.sort()).toEqual(['a start', 'inside start', 'outside start'])
    expect((await ask(askA('printer.lan'))).rcode).toBe('NOERROR')
    log.length = 0
    await server.close()
    expect(log.sort()).toEqual(['a close', 'inside close', 'outside close'])
  })

  it('a Forwarder handed to a server without start() answers its hosts names (it used to say NXDOMAIN)', async () => {
    const forwarder = new Forwarder({ hosts: '192.0.2.10 printer.lan\n', watch: false })
    const { server, ask } = await memoryServer(forwarder)
    const reply = await ask(askA('printer.lan'))
    expect(reply.rcode).toBe('NOERROR')
    expect(reply.answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.10'])
    await server.close()
  })

  it('a handler the application already started is started again harmlessly (Forwarder.start is idempotent)', async () => {
    const forwarder = new Forwarder({ hosts: '192.0.2.10 printer.lan\n', watch: false })
    await forwarder.start()
    const { server, ask } = await memoryServer(forwarder)
    expect((await ask(askA('printer.lan'))).answers).toHaveLength(1)
    await server.close()
  })
})
