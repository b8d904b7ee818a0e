// The batched engine's receive drain, driven through a fake of its system calls: after an
// asynchronous receive, what is already waiting is read at once on the loop (MSG_DONTWAIT),
// batch by batch with each batch's answers in one sendmmsg, at most DRAIN_BATCHES times before
// the next receive goes back to the thread pool; a close() from a handler stops the drain with
// nothing read left unhanded, and nothing is lost.
import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { batchedNetwork } from '../../src/util/batched-network.js'
import type { DatagramSocket } from '../../src/util/network.js'
import type { WireDatagram } from './fake-syscalls.js'
import { FakeSyscalls } from './fake-syscalls.js'

const BATCH = 64
const DRAIN_BATCHES = 16

async function echoSocket() {
  const syscalls = new FakeSyscalls()
  const socket: DatagramSocket = batchedNetwork(undefined, { syscalls, clock: new FakeClock() }).createDatagramSocket(4)
  const seen: string[] = []
  socket.onMessage((msg, rinfo) => {
    seen.push(msg.toString('latin1'))
    socket.send(Buffer.from(`re:${msg.toString('latin1')}`), rinfo.port, rinfo.address)
  })
  await socket.bind(5353, '127.0.0.1')
  return { syscalls, socket, seen }
}

const datagrams = (from: number, to: number): WireDatagram[] => Array.from({ length: to - from }, (_, k) => ({ data: `d${from + k}`, port: 4000 + ((from + k) % 1000), address: '127.0.0.7' }))
const names = (from: number, to: number) => datagrams(from, to).map((d) => d.data)

describe('batched receive drain (fake system calls)', () => {
  it('reads what waits at once after an asynchronous receive, a batch at a time, each answered in one sendmmsg', async () => {
    const { syscalls, seen } = await echoSocket()
    syscalls.waiting.push(...datagrams(3, 3 + BATCH + 10))
    syscalls.deliver(datagrams(0, 3))
    expect(seen).toEqual(names(0, 3 + BATCH + 10))
    // The asynchronous batch, then two immediate ones (64 and 10), then one that found nothing.
    expect(syscalls.sendCalls).toEqual([3, BATCH, 10])
    expect(syscalls.recvCalls).toBe(3)
    expect(syscalls.wire.map((d) => d.data)).toEqual(names(0, 3 + BATCH + 10).map((n) => `re:${n}`))
    // Then back to the thread pool: the next datagram comes through an asynchronous receive.
    syscalls.deliver(datagrams(100, 101))
    expect(seen.at(-1)).toBe('d100')
  })

  it('when nothing waits, costs one immediate receive per asynchronous one', async () => {
    const { syscalls, seen } = await echoSocket()
    syscalls.deliver(datagrams(0, 1))
    syscalls.deliver(datagrams(1, 2))
    expect(seen).toEqual(['d0', 'd1'])
    expect(syscalls.recvCalls).toBe(2)
  })

  it('stops after DRAIN_BATCHES immediate receives and goes back to the thread pool, losing nothing', async () => {
    const { syscalls, seen } = await echoSocket()
    const total = 1 + (DRAIN_BATCHES + 2) * BATCH
    syscalls.waiting.push(...datagrams(1, total))
    syscalls.deliver(datagrams(0, 1))
    expect(syscalls.recvCalls).toBe(DRAIN_BATCHES)
    expect(seen).toHaveLength(1 + DRAIN_BATCHES * BATCH)
    // The rest waits in the kernel for the next receive (which the thread pool makes).
    expect(syscalls.waiting).toHaveLength(total - seen.length)
    syscalls.deliver(syscalls.waiting.splice(0, BATCH))
    expect(seen).toEqual(names(0, total))
  })

  it('reads nothing more at once once the batches handed out have held the loop for 5 ms', async () => {
    const syscalls = new FakeSyscalls()
    const clock = new FakeClock()
    const socket = batchedNetwork(undefined, { syscalls, clock }).createDatagramSocket(4)
    await socket.bind(5353, '127.0.0.1')
    const seen: string[] = []
    socket.onMessage((msg) => {
      seen.push(msg.toString('latin1'))
      clock.advance(1) // a costly handler: 1 ms a datagram
    })
    syscalls.waiting.push(...datagrams(4, 200))
    syscalls.deliver(datagrams(0, 4)) // 4 ms: one immediate batch still goes
    expect(syscalls.recvCalls).toBe(1)
    expect(seen).toHaveLength(4 + BATCH)
    syscalls.deliver(syscalls.waiting.splice(0, 5)) // 5 ms: none
    expect(syscalls.recvCalls).toBe(1)
    expect(seen).toEqual(names(0, 4 + BATCH + 5))
    await socket.close()
  })

  it('a close() from a handler ends the drain: the batch in hand is answered, nothing more is read, then the socket closes', async () => {
    const syscalls = new FakeSyscalls()
    const socket = batchedNetwork(undefined, { syscalls, clock: new FakeClock() }).createDatagramSocket(4)
    await socket.bind(5353, '127.0.0.1')
    let closing: Promise<void> | undefined
    const seen: string[] = []
    socket.onMessage((msg, rinfo) => {
      seen.push(msg.toString('latin1'))
      if (seen.length === 2) closing = socket.close()
      socket.send(Buffer.from(`re:${msg.toString('latin1')}`), rinfo.port, rinfo.address)
    })
    syscalls.waiting.push(...datagrams(3, 10))
    syscalls.deliver(datagrams(0, 3))
    await closing
    expect(seen).toEqual(['d0', 'd1', 'd2'])
    expect(syscalls.wire.map((d) => d.data)).toEqual(['re:d0', 're:d1', 're:d2'])
    expect(syscalls.recvCalls).toBe(0)
    expect(syscalls.calls.slice(-2)).toEqual(['shutdown:100', 'close:100'])
  })

  it('a close() during an immediate batch still hands out all of that batch', async () => {
    const syscalls = new FakeSyscalls()
    const socket = batchedNetwork(undefined, { syscalls, clock: new FakeClock() }).createDatagramSocket(4)
    await socket.bind(5353, '127.0.0.1')
    let closing: Promise<void> | undefined
    const seen: string[] = []
    socket.onMessage((msg, rinfo) => {
      seen.push(msg.toString('latin1'))
      if (msg.toString('latin1') === 'd2') closing = socket.close()
      socket.send(Buffer.from(`re:${msg.toString('latin1')}`), rinfo.port, rinfo.address)
    })
    syscalls.waiting.push(...datagrams(1, 5))
    syscalls.deliver(datagrams(0, 1))
    await closing
    expect(seen).toEqual(names(0, 5))
    expect(syscalls.wire.map((d) => d.data)).toEqual(names(0, 5).map((n) => `re:${n}`))
    expect(syscalls.recvCalls).toBe(1)
  })
})
