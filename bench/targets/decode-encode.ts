// The reference the issue names: a bare dgram server doing a full dns-packet decode + encode.
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'

const socket = dgram.createSocket('udp4')
socket.on('message', (msg, rinfo) => {
  try {
    const q = dnsPacket.decode(msg)
    const out = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: q.questions,
      answers: [{ name: q.questions![0]!.name, type: 'A', ttl: 300, data: '192.0.2.1' }],
      additionals: (q.additionals ?? []).filter((a) => a.type === 'OPT'),
    })
    socket.send(out, rinfo.port, rinfo.address)
  } catch {
    // malformed: drop
  }
})
socket.bind(0, '127.0.0.1', () => console.log(`PORT ${socket.address().port}`))
