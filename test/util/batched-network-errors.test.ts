// The batched engine's error queue, driven through a fake of its system calls: with
// reportUnreachable() the socket sets IP_RECVERR before bind, an ICMP error that ends the pending
// receive is read back with recvmsg(MSG_ERRQUEUE) and reaches the error handler as an
// UnreachableError naming the destination, and the receive starts again at once.
import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../src/testing/fake-clock.js'
import { batchedNetwork } from '../../src/util/batched-network.js'
import { isUnreachableError } from '../../src/util/network.js'
import { FakeSyscalls } from './fake-syscalls.js'

const ECONNREFUSED = 111
const EHOSTUNREACH = 113
const MSG_ERRQUEUE_DONTWAIT = 0x2000 | 0x40

async function fakeSocket(report: boolean) {
  const syscalls = new FakeSyscalls()
  const clock = new FakeClock()
  const socket = batchedNetwork(undefined, { syscalls, clock }).createDatagramSocket(4)
  const errors: Error[] = []
  const got: string[] = []
  socket.onError((e) => errors.push(e))
  socket.onMessage((msg, rinfo) => got.push(`${msg.toString('latin1')}@${rinfo.address}:${rinfo.port}`))
  if (report) expect(socket.reportUnreachable?.()).toBe(true)
  await socket.bind(0, '0.0.0.0')
  return { syscalls, clock, socket, errors, got }
}

describe('batched socket error queue (fake system calls)', () => {
  it('reportUnreachable sets IP_RECVERR before bind; without it nothing is set', async () => {
    const withIt = await fakeSocket(true)
    expect(withIt.syscalls.calls.slice(0, 3)).toEqual(['socket', 'setsockopt:0:11:1', 'bind:100:0'])
    const without = await fakeSocket(false)
    expect(without.syscalls.calls.slice(0, 2)).toEqual(['socket', 'bind:100:0'])
  })

  it('an ICMP error becomes an UnreachableError per queued entry, with destination, code and offender, and receiving goes on at once', async () => {
    const { syscalls, clock, errors, got, socket } = await fakeSocket(true)
    syscalls.errorQueue.push({ errno: EHOSTUNREACH, address: '192.0.2.7', port: 5300, offender: '192.0.2.1' })
    syscalls.icmpError({ errno: ECONNREFUSED, address: '127.0.0.9', port: 5301, offender: '127.0.0.9' })
    expect(errors).toHaveLength(2)
    expect(errors.every(isUnreachableError)).toBe(true)
    expect(errors[0]).toMatchObject({ code: 'EHOSTUNREACH', destination: { address: '192.0.2.7', port: 5300 }, offender: '192.0.2.1' })
    expect(errors[1]).toMatchObject({ code: 'ECONNREFUSED', destination: { address: '127.0.0.9', port: 5301 }, offender: '127.0.0.9' })
    // Read until the queue said EAGAIN, never blocking.
    expect(syscalls.calls.filter((c) => c.startsWith('recvmsg'))).toEqual(Array(3).fill(`recvmsg:${MSG_ERRQUEUE_DONTWAIT}`))
    clock.advance(0)
    syscalls.deliver([{ data: 'answer', port: 53, address: '127.0.0.2' }])
    expect(got).toEqual(['answer@127.0.0.2:53'])
    await socket.close()
  })

  it('a failed receive with nothing queued reports nothing and is retried after 10 ms, as before', async () => {
    const { syscalls, clock, errors, got, socket } = await fakeSocket(true)
    syscalls.failReceive(4)
    expect(errors).toEqual([])
    clock.advance(9)
    expect(() => syscalls.deliver([])).toThrow(/no receive pending/)
    clock.advance(1)
    syscalls.deliver([{ data: 'late', port: 53, address: '127.0.0.2' }])
    expect(got).toEqual(['late@127.0.0.2:53'])
    await socket.close()
  })

  it('a send failed by an earlier datagram\'s pending ICMP error is read from the queue and sent again, not lost; a failure that persists loses that datagram alone', async () => {
    const { syscalls, errors, socket } = await fakeSocket(true)
    syscalls.errorQueue.push({ errno: ECONNREFUSED, address: '127.0.0.9', port: 5301, offender: '127.0.0.9' })
    syscalls.script.push({ errno: ECONNREFUSED })
    const outcomes: (string | null)[] = []
    socket.send(Buffer.from('q1'), 53, '127.0.0.2', (err) => outcomes.push(err ? err.message : null))
    socket.send(Buffer.from('q2'), 53, '127.0.0.3', (err) => outcomes.push(err ? err.message : null))
    await new Promise((r) => setImmediate(r))
    expect(syscalls.wire.map((d) => `${d.data}@${d.address}`)).toEqual(['q1@127.0.0.2', 'q2@127.0.0.3'])
    expect(outcomes).toEqual([null, null])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'ECONNREFUSED', destination: { address: '127.0.0.9', port: 5301 } })
    // A local error that queues an entry each time it fails: one retry, then that datagram is lost.
    syscalls.errorQueue.push({ errno: 101, address: '192.0.2.1', port: 53, offender: '127.0.0.1' }, { errno: 101, address: '192.0.2.1', port: 53, offender: '127.0.0.1' })
    syscalls.script.push({ errno: 101 }, { errno: 101 })
    socket.send(Buffer.from('q3'), 53, '192.0.2.1', (err) => outcomes.push(err ? err.message : null))
    socket.send(Buffer.from('q4'), 53, '127.0.0.4', (err) => outcomes.push(err ? err.message : null))
    await new Promise((r) => setImmediate(r))
    expect(outcomes.slice(2)).toEqual([expect.stringMatching(/sendmmsg/), null])
    expect(syscalls.wire.map((d) => d.data)).toEqual(['q1', 'q2', 'q4'])
    await socket.close()
  })
})
