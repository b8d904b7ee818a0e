import dgram from 'node:dgram'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { freeLoopbackPort } from '../../src/testing/index.js'

describe('freeLoopbackPort', () => {
  it('gives a port that both TCP and UDP can then bind on 127.0.0.1', async () => {
    const port = await freeLoopbackPort()
    expect(port).toBeGreaterThan(0)
    const server = net.createServer()
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve, reject) => socket.once('error', reject).bind(port, '127.0.0.1', resolve))
    socket.close()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
})
