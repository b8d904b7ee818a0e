// The batched engine's send path against a full kernel buffer, driven through a fake of its
// system calls (loopback never returns EAGAIN): EAGAIN and partial sendmmsg counts lose and
// duplicate nothing and keep the order, the retry is a timer (the loop is never held), a full
// ring fails sends like a socket error, and close() settles every queued send exactly once.
import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { batchedNetwork } from '../../src/util/batched-network.js'
import type { DatagramSocket } from '../../src/util/network.js'
import { EAGAIN, ENETUNREACH, FakeSyscalls, SOL_SOCKET, SO_REUSEPORT } from './fake-syscalls.js'

const RING = 256
const tick = () => new Promise((r) => setImmediate(r))

async function fakeSocket(options: { reusePort?: boolean; sendFlush?: 'microtask' | 'immediate' } = {}) {
  const syscalls = new FakeSyscalls()
  const clock = new FakeClock()
  const socket: DatagramSocket = batchedNetwork(undefined, { syscalls, clock, ...options }).createDatagramSocket(4)
  const errors: string[] = []
  socket.onError((e) => errors.push(e.message))
  await socket.bind(5353, '127.0.0.1')
  return { syscalls, clock, socket, errors }
}

/** Sends `d<from>`..`d<to-1>` to 127.0.0.9:<1000+i>, recording each callback's outcome by name. */
function sendRange(socket: DatagramSocket, from: number, to: number, outcomes: Map<string, (string | null)[]>): void {
  for (let i = from; i < to; i++) {
    const name = `d${i}`
    socket.send(Buffer.from(name), 1000 + i, '127.0.0.9', (err) => {
      const seen = outcomes.get(name) ?? []
      seen.push(err ? err.message : null)
      outcomes.set(name, seen)
    })
  }
}

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `d${from + k}`)

describe('batched sends meeting a full kernel buffer (fake system calls)', () => {
  it('EAGAIN and partial counts: every datagram once, in order, to its own address; the retry waits for a timer', async () => {
    const { syscalls, clock, socket, errors } = await fakeSocket()
    syscalls.script.push({ errno: EAGAIN }, 3, { errno: EAGAIN }, 2)
    const outcomes = new Map<string, (string | null)[]>()
    sendRange(socket, 0, 10, outcomes)
    await tick()
    // One attempt, refused: nothing went out, nothing completed, and the loop ran on (this tick).
    expect(syscalls.sendCalls).toEqual([10])
    expect(syscalls.wire).toEqual([])
    expect(outcomes.size).toBe(0)
    for (let i = 0; i < 5; i++) await tick()
    expect(syscalls.sendCalls).toEqual([10]) // no spinning: only the timer retries
    expect(clock.pending).toBe(1)
    clock.advance(1)
    // 3 taken, the rest retried at once and refused again: wait for the next timer.
    expect(syscalls.sendCalls).toEqual([10, 10, 7])
    expect(syscalls.wire.map((d) => d.data)).toEqual(names(0, 3))
    clock.advance(1)
    // 2 taken, then the remaining 5 in one more call.
    expect(syscalls.sendCalls).toEqual([10, 10, 7, 7, 5])
    expect(syscalls.wire.map((d) => d.data)).toEqual(names(0, 10))
    expect(syscalls.wire.map((d) => d.port)).toEqual(names(0, 10).map((_, i) => 1000 + i))
    expect(syscalls.wire.every((d) => d.address === '127.0.0.9')).toBe(true)
    expect([...outcomes.entries()]).toEqual(names(0, 10).map((n) => [n, [null]]))
    expect(errors).toEqual([])
    expect(clock.pending).toBe(0)
  })

  it("sendFlush 'immediate': sends from separate callbacks of one loop turn leave in one sendmmsg; the default writes each callback's at its end", async () => {
    const immediate = await fakeSocket({ sendFlush: 'immediate' })
    const microtask = await fakeSocket()
    for (const { socket } of [immediate, microtask]) {
      // Three I/O-like callbacks in the same turn, one answer each (as member answers arrive).
      for (let i = 0; i < 3; i++) setTimeout(() => socket.send(Buffer.from(`a${i}`), 53, '127.0.0.9'), 0)
    }
    await new Promise((r) => setTimeout(r, 5))
    await tick()
    expect(immediate.syscalls.sendCalls).toEqual([3])
    expect(microtask.syscalls.sendCalls).toEqual([1, 1, 1])
    expect(immediate.syscalls.wire.map((d) => d.data)).toEqual(['a0', 'a1', 'a2'])
  })

  it('an error on the first datagram of a call fails that one alone; the rest go out in order', async () => {
    const { syscalls, socket } = await fakeSocket()
    syscalls.script.push(2, { errno: ENETUNREACH })
    const outcomes = new Map<string, (string | null)[]>()
    sendRange(socket, 0, 6, outcomes)
    await tick()
    expect(syscalls.sendCalls).toEqual([6, 4, 3])
    expect(syscalls.wire.map((d) => d.data)).toEqual(['d0', 'd1', 'd3', 'd4', 'd5'])
    expect(outcomes.get('d2')).toEqual(['sendmmsg: Network is unreachable'])
    for (const n of ['d0', 'd1', 'd3', 'd4', 'd5']) expect(outcomes.get(n)).toEqual([null])
  })

  it('a send without a callback reports its error to the error handler', async () => {
    const { syscalls, socket, errors } = await fakeSocket()
    syscalls.script.push({ errno: ENETUNREACH })
    socket.send(Buffer.from('x'), 53, '127.0.0.9')
    await tick()
    expect(errors).toEqual(['sendmmsg: Network is unreachable'])
  })

  it('the answers of one received batch go out in one sendmmsg, in the order they were read', async () => {
    const { syscalls, socket } = await fakeSocket()
    socket.onMessage((msg, rinfo) => socket.send(Buffer.from(`re:${msg.toString('latin1')}`), rinfo.port, rinfo.address))
    syscalls.deliver(names(0, 5).map((data, i) => ({ data, port: 4000 + i, address: '127.0.0.7' })))
    expect(syscalls.sendCalls).toEqual([5])
    expect(syscalls.wire).toEqual(names(0, 5).map((n, i) => ({ data: `re:${n}`, port: 4000 + i, address: '127.0.0.7' })))
  })

  it('a full ring fails further sends like a socket error, and wraps around without loss once the kernel takes again', async () => {
    const { syscalls, clock, socket, errors } = await fakeSocket()
    // Move the ring's head off 0 first, so the full ring wraps around its end.
    const outcomes = new Map<string, (string | null)[]>()
    sendRange(socket, 0, 100, outcomes)
    await tick()
    expect(syscalls.wire).toHaveLength(100)
    syscalls.sendDefault = { errno: EAGAIN }
    sendRange(socket, 100, 100 + RING + 5, outcomes)
    // Two datagrams without a callback while full: the error handler hears once per episode.
    socket.send(Buffer.from('nocb1'), 9, '127.0.0.9')
    socket.send(Buffer.from('nocb2'), 9, '127.0.0.9')
    await tick()
    for (let i = 100 + RING; i < 100 + RING + 5; i++) expect(outcomes.get(`d${i}`)).toEqual([expect.stringMatching(/send queue full \(256 datagrams/)])
    expect(errors).toEqual([expect.stringMatching(/send queue full/)])
    clock.advance(1)
    clock.advance(1)
    expect(syscalls.wire).toHaveLength(100) // still refused: nothing lost, nothing sent twice
    syscalls.sendDefault = Number.MAX_SAFE_INTEGER
    clock.advance(1)
    expect(syscalls.wire.map((d) => d.data)).toEqual(names(0, 100 + RING))
    // The wrap: RING - 100 datagrams up to the ring's end, then 100 from its start.
    expect(syscalls.sendCalls.slice(-2)).toEqual([RING - 100, 100])
    for (let i = 0; i < 100 + RING; i++) expect(outcomes.get(`d${i}`)).toEqual([null])
    // Drained: a new episode of overflow would be reported again; a send now simply goes out.
    sendRange(socket, 1000, 1001, outcomes)
    await tick()
    expect(syscalls.wire.at(-1)?.data).toBe('d1000')
  })

  it('close() flushes queued sends once the kernel takes them, each completed exactly once', async () => {
    const { syscalls, clock, socket } = await fakeSocket()
    syscalls.sendDefault = { errno: EAGAIN }
    const outcomes = new Map<string, (string | null)[]>()
    sendRange(socket, 0, 5, outcomes)
    await tick()
    let closed = false
    const closing = socket.close().then(() => (closed = true))
    await tick()
    await tick()
    clock.advance(5)
    expect(closed).toBe(false)
    syscalls.sendDefault = Number.MAX_SAFE_INTEGER
    clock.advance(5)
    await closing
    expect(syscalls.wire.map((d) => d.data)).toEqual(names(0, 5))
    expect([...outcomes.entries()]).toEqual(names(0, 5).map((n) => [n, [null]]))
    expect(syscalls.calls.slice(-2)).toEqual(['shutdown:100', 'close:100'])
  })

  it('close() fails each send still refused after 100 ms exactly once, reports the loss, and closes', async () => {
    const { syscalls, clock, socket, errors } = await fakeSocket()
    syscalls.sendDefault = { errno: EAGAIN }
    const outcomes = new Map<string, (string | null)[]>()
    sendRange(socket, 0, 5, outcomes)
    let closed = false
    const closing = socket.close().then(() => (closed = true))
    for (let i = 0; i < 30 && !closed; i++) {
      await tick()
      clock.advance(5)
    }
    await closing
    expect(syscalls.wire).toEqual([])
    expect([...outcomes.entries()]).toEqual(names(0, 5).map((n) => [n, ['socket closed before the datagram was sent']]))
    expect(errors).toEqual(['5 datagrams not sent: the kernel buffer stayed full while closing'])
    expect(syscalls.calls.at(-1)).toBe('close:100')
    expect(clock.pending).toBe(0) // the retry timer went with the socket
    const late = await new Promise<Error | null>((resolve) => socket.send(Buffer.from('late'), 53, '127.0.0.9', resolve))
    expect(late?.message).toMatch(/not bound or is closed/)
  })

  it('reusePort sets SO_REUSEPORT before bind; without it nothing is set', async () => {
    const withIt = await fakeSocket({ reusePort: true })
    expect(withIt.syscalls.calls.slice(0, 3)).toEqual(['socket', `setsockopt:${SOL_SOCKET}:${SO_REUSEPORT}:1`, 'bind:100:5353'])
    const without = await fakeSocket()
    expect(without.syscalls.calls.slice(0, 2)).toEqual(['socket', 'bind:100:5353'])
  })
})
