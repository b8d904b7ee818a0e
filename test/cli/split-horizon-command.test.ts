// `dns-ha example split-horizon`: starts on loopback, prints where it listens and the dig -b
// commands, answers internal and external clients differently through the pool, stops on SIGTERM.
import { describe, expect, it } from 'vitest'
import { query } from '../../src/client/index.js'
import { portOf, startCli } from './helpers.js'

describe('dns-ha example split-horizon', () => {
  it('serves the views through the pool, prints each answer with its view, and exits 0 on SIGTERM', async () => {
    const cli = startCli(['example', 'split-horizon', '-p', '0'])
    const port = portOf(await cli.line(/^ {2}pool on /))
    await cli.line(/^Ctrl-C to stop/)
    expect(cli.out.filter((l) => l.includes('dig -b'))).toHaveLength(4)
    const ask = async (from: string): Promise<string[]> =>
      ((await query({ address: '127.0.0.1', port }, { name: 'www.example.test', type: 'A' }, { localAddress: from, timeoutMs: 2000 })).packet.answers ?? []).map((a) => String((a as { data: unknown }).data))
    expect(await ask('127.0.0.2')).toEqual(['10.0.0.80'])
    expect(await ask('127.0.0.3')).toEqual(['203.0.113.80'])
    expect(await cli.line(/www\.example\.test\.? A -> NOERROR \(view external-via-pool\)/)).toMatch(/^ {2}127\.0\.0\.1 /)
    cli.signal('SIGTERM')
    expect(await cli.status).toBe(0)
  })

  it('names every example when asked for one that does not exist', async () => {
    const cli = startCli(['example', 'nope'])
    expect(await cli.status).not.toBe(0)
    expect(cli.err.join('\n')).toContain('there is dnsmasq-nginx-keepalived, bind-lvs-keepalived, split-horizon')
  })
})
