// The baseline: the least a Node UDP DNS server can do — echo the query back with QR set.
import dgram from 'node:dgram'

const socket = dgram.createSocket('udp4')
socket.on('message', (msg, rinfo) => {
  msg[2]! |= 0x80
  socket.send(msg, rinfo.port, rinfo.address)
})
socket.bind(0, '127.0.0.1', () => console.log(`PORT ${socket.address().port}`))
