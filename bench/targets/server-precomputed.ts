// DnsServer with a handler that answers every query with precomputed bytes: the server's own cost.
import dnsPacket from 'dns-packet'
import { DnsServer } from '../../src/server/index.js'

const answers = new Map<string, Buffer>()
const server = new DnsServer({
  handler: (query) => {
    const q = query.wireQuestion!
    const key = `${q.name.toLowerCase()}/${q.type}`
    let bytes = answers.get(key)
    if (!bytes) {
      bytes = dnsPacket.encode({
        type: 'response',
        id: 0,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        questions: [{ name: q.name, type: 'A' }],
        answers: [{ name: q.name, type: 'A', ttl: 300, data: '192.0.2.1' }],
        additionals: query.edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232 } as never] : [],
      })
      answers.set(key, bytes)
    }
    return bytes
  },
})
const bound = await server.listen({ port: 0, address: '127.0.0.1' })
console.log(`PORT ${bound.port}`)
// Exit cleanly on a signal so --cpu-prof can write its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.close().then(() => process.exit(0)))
