// dig and kdig sign queries (`-y alg:name:secret`) to an Authority with a key view behind a
// DnsServer holding the keyring: the partner view answers signed queries, the tools verify our
// signed answers (they complain loudly when they cannot), a wrong secret gets NOTAUTH/BADSIG and
// an unknown key NOTAUTH/BADKEY. Skips when neither tool is installed.
import { execFile, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/authority.js'
import { DnsServer } from '../../src/server/dns-server.js'
import type { TsigAlgorithm } from '../../src/tsig/index.js'
import { createKeyring } from '../../src/tsig/index.js'
import { parseZone } from '../../src/zone/index.js'

const haveDig = spawnSync('dig', ['-v']).error === undefined
const haveKdig = spawnSync('kdig', ['--version']).error === undefined
if (!haveDig) console.warn('skipping TSIG dig interop: dig is not installed (apt-get install bind9-dnsutils)')
if (!haveKdig) console.warn('skipping TSIG kdig interop: kdig is not installed (apt-get install knot-dnsutils)')

const SECRET = 'a2V5LWZvci10aGUtdHNpZy1pbnRlcm9wLXRlc3QtIQ=='
const WRONG = 'c29tZS1vdGhlci1zZWNyZXQtZW50aXJlbHktLS0tIQ=='
const ALGORITHMS: TsigAlgorithm[] = ['hmac-sha256', 'hmac-sha512', 'hmac-sha1', 'hmac-md5']
const zone = (address: string) =>
  parseZone(`$TTL 60\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.53\nwww A ${address}\n`, { origin: 'cdn.test.' })

let server: DnsServer
let port = 0

beforeAll(async () => {
  if (!haveDig && !haveKdig) return
  const authority = new Authority({
    views: [
      { name: 'partner', match: { keys: ALGORITHMS.map((a) => `${a}.partner`) }, zones: [zone('203.0.113.1')] },
      { name: 'world', zones: [zone('192.0.2.30')] },
    ],
  })
  const keyring = createKeyring([...ALGORITHMS.map((algorithm) => ({ name: `${algorithm}.partner`, algorithm, secret: SECRET })), { name: 'stranger', algorithm: 'hmac-sha256' as const, secret: SECRET }])
  server = new DnsServer({ handler: authority, tsig: keyring })
  port = (await server.listen({ port: 0, address: '127.0.0.1' })).port
})
afterAll(async () => {
  await server?.close()
})

/** Runs a tool and returns stdout + stderr whatever its exit status (a TSIG failure may make it non-zero). */
function run(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(tool, args, { timeout: 10_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`))
  })
}

// What each tool prints when it cannot verify a TSIG (checked absent on success, present on failure).
const DIG_TSIG_FAILURE = /tsig verify failure|Couldn't verify signature|could not be validated|expected a TSIG/i
const KDIG_TSIG_FAILURE = /failed to verify TSIG|WARNING.*TSIG/i

describe.skipIf(!haveDig)('dig -y against a key view', () => {
  const dig = (...args: string[]) => run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args])

  it.each(ALGORITHMS)('%s over UDP and TCP: the partner view answers and dig verifies the signed answer', async (algorithm) => {
    for (const transport of ['+notcp', '+tcp']) {
      const out = await dig('-y', `${algorithm}:${algorithm}.partner:${SECRET}`, 'www.cdn.test', 'A', transport)
      expect(out).toMatch(/status: NOERROR/)
      expect(out).toMatch(/www\.cdn\.test\.\s+60\s+IN\s+A\s+203\.0\.113\.1/)
      expect(out).toMatch(new RegExp(`TSIG PSEUDOSECTION:\\n${algorithm}\\.partner\\.\\s+0\\s+ANY\\s+TSIG\\s+${algorithm === 'hmac-md5' ? 'hmac-md5\\.sig-alg\\.reg\\.int' : algorithm}\\. \\d+ 300 \\d+ [A-Za-z0-9+/= ]+ \\d+ NOERROR 0`))
      expect(out).not.toMatch(DIG_TSIG_FAILURE)
    }
  })

  it('unsigned queries and keys without a view get the catch-all', async () => {
    expect(await dig('www.cdn.test', 'A', '+short')).toBe('192.0.2.30\n')
    const stranger = await dig('-y', `hmac-sha256:stranger:${SECRET}`, 'www.cdn.test', 'A')
    expect(stranger).toMatch(/IN\s+A\s+192\.0\.2\.30/)
    expect(stranger).not.toMatch(DIG_TSIG_FAILURE)
  })

  it('a wrong secret gets NOTAUTH with BADSIG, an unknown key NOTAUTH with BADKEY; no answer either way', async () => {
    const badsig = await dig('-y', `hmac-sha256:hmac-sha256.partner:${WRONG}`, 'www.cdn.test', 'A')
    expect(badsig).toMatch(/status: NOTAUTH/)
    expect(badsig).toMatch(/TSIG\s+hmac-sha256\. \d+ 300 0 \d+ BADSIG 0/)
    expect(badsig).not.toMatch(/203\.0\.113\.1|192\.0\.2\.30/)
    expect(badsig).toMatch(DIG_TSIG_FAILURE)
    const badkey = await dig('-y', `hmac-sha256:nobody:${SECRET}`, 'www.cdn.test', 'A', '+tcp')
    expect(badkey).toMatch(/status: NOTAUTH/)
    expect(badkey).toMatch(/BADKEY/)
  })
})

describe.skipIf(!haveKdig)('kdig -y against a key view', () => {
  const kdig = (...args: string[]) => run('kdig', ['@127.0.0.1', '-p', String(port), '+time=2', '+retry=0', ...args])

  it.each(ALGORITHMS)('%s over UDP and TCP: the partner view answers and kdig verifies the signed answer', async (algorithm) => {
    for (const transport of ['+notcp', '+tcp']) {
      const out = await kdig('-y', `${algorithm}:${algorithm}.partner:${SECRET}`, 'www.cdn.test', 'A', transport)
      expect(out).toMatch(/status: NOERROR/)
      expect(out).toMatch(/www\.cdn\.test\.\s+60\s+IN\s+A\s+203\.0\.113\.1/)
      expect(out).toMatch(/TSIG PSEUDOSECTION:/)
      expect(out).not.toMatch(KDIG_TSIG_FAILURE)
    }
  })

  it('a wrong secret gets BADSIG and kdig warns it could not verify the reply', async () => {
    for (const transport of ['+notcp', '+tcp']) {
      const out = await kdig('-y', `hmac-sha256:hmac-sha256.partner:${WRONG}`, 'www.cdn.test', 'A', transport)
      expect(out).toMatch(/status: BADSIG|status: NOTAUTH/)
      expect(out).toMatch(/BADSIG/)
      expect(out).toMatch(/failed to verify TSIG/)
      expect(out).not.toMatch(/203\.0\.113\.1/)
    }
  })
})
