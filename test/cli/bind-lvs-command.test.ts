// dns-ha example bind-lvs-keepalived on loopback: prints the layout and the commands to try; the
// printed curl edit, made through the HTTP API, is answered through the printed VIP; Ctrl-C
// stops it with exit 0 and removes its state directory.
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { query } from '../../src/client/index.js'
import { EXIT } from '../../src/cli/exit-codes.js'
import { startCli } from './helpers.js'

describe('dns-ha example bind-lvs-keepalived', () => {
  it('runs the topology, shows the VIP, the API edit reaches the VIP, and stops cleanly on SIGINT', async () => {
    const cli = startCli(['example', 'bind-lvs-keepalived', '--port', '0', '--advert-ms', '100'])
    const vipLine = await cli.line(/^ {2}VIP 180\.186\.22\.60:53 -> /)
    const [, address, port] = /-> ([\d.]+)#(\d+)/.exec(vipLine)!
    const stateDir = /state in (\S+)/.exec(await cli.line(/^ {2}primary 180\.186\.22\.61/))![1]!
    expect(existsSync(stateDir)).toBe(true)
    await cli.line(/VIP 180\.186\.22\.60: held by director1/)
    const ask = async (name: string): Promise<string[]> =>
      ((await query({ address: address!, port: Number(port) }, { name, type: 'A' }, { timeoutMs: 1000, retries: 1 })).packet.answers ?? []).map((a) => String((a as { data?: unknown }).data)).sort()
    expect(await ask('img2.vipshop.com')).toEqual(['192.0.2.12', '192.0.2.22'])

    // The printed curl command, made with fetch.
    const curl = await cli.line(/^ {2}curl -s /)
    const token = /Bearer (\w+)/.exec(curl)![1]!
    const url = /(http:\S+\/records)$/.exec(curl)![1]!
    const body = /-d '([^']+)'/.exec(curl)![1]!
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body })
    expect(response.status).toBe(201)
    await cli.line(/secondary1: IXFR to serial 2013051502/)
    await cli.line(/secondary2: IXFR to serial 2013051502/)
    expect(await ask('img9.vipshop.com')).toEqual(['198.51.100.9'])

    cli.signal('SIGINT')
    expect(await cli.status).toBe(EXIT.ok)
    expect(existsSync(stateDir)).toBe(false)
  }, 30_000)

  it('names both examples when asked for an unknown one', async () => {
    const cli = startCli(['example', 'nope'])
    expect(await cli.status).toBe(EXIT.usage)
    expect(cli.err.join('\n')).toContain('there is dnsmasq-nginx-keepalived, bind-lvs-keepalived')
  })
})
