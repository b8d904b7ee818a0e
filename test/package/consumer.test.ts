// Proves the published package works for a consumer: npm pack, install the tarball in a temp
// project, import it as ESM, require it as CJS, and type-check a consumer file against its .d.ts.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'dns-ha-consumer-'))
const run = (cmd: string, args: string[], cwd = work) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 420_000 })

describe('packed package, as a consumer sees it', () => {
  beforeAll(() => {
    run('npm', ['pack', '--silent', '--pack-destination', work], repo)
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    // Dependencies come from the npm cache the repo's own install filled.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`, '@types/node@20'])
  }, 480_000)

  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('imports as ESM and serves a query end to end', () => {
    writeFileSync(
      join(work, 'esm.mjs'),
      `import { DnsServer, respond, query } from 'dns-ha'
       import { FakeClock } from 'dns-ha/testing'
       import { readQuestion } from 'dns-ha/packet'
       const server = new DnsServer({ handler: (q) => respond(q, { answers: [{ name: q.question.name, type: 'A', ttl: 1, data: '192.0.2.7' }] }) })
       const { port } = await server.listen({ port: 0, address: '127.0.0.1' })
       const r = await query({ address: '127.0.0.1', port }, { name: 'x.test', type: 'A' }, { timeoutMs: 2000 })
       await server.close()
       console.log(JSON.stringify({ answer: r.packet.answers[0].data, clock: typeof new FakeClock().advance, wire: typeof readQuestion }))`,
    )
    expect(JSON.parse(run('node', ['esm.mjs']))).toEqual({ answer: '192.0.2.7', clock: 'function', wire: 'function' })
  })

  it('installs the dns-ha command: npx dns-ha answers --version and --help, and a usage error exits 64', () => {
    expect(run('npx', ['--no-install', 'dns-ha', '--version']).trim()).toMatch(/^\d+\.\d+\.\d+/)
    expect(run('npx', ['--no-install', 'dns-ha', '--help'])).toMatch(/serve[\s\S]*dnsmasq[\s\S]*pool/)
    let status = 0
    try {
      run('npx', ['--no-install', 'dns-ha', 'serve'])
    } catch (error) {
      status = (error as { status: number }).status
    }
    expect(status).toBe(64)
  })

  it('requires as CJS, with the same error brand across both builds', () => {
    writeFileSync(
      join(work, 'cjs.cjs'),
      `const { DnsServer, isDnsHaError, DnsHaError } = require('dns-ha')
       const { MemoryNetwork } = require('dns-ha/testing')
       import('dns-ha').then((esm) => {
         const e = new esm.DnsHaError('ERR_CONFIG', 'x')
         console.log(JSON.stringify({ server: typeof DnsServer, net: typeof MemoryNetwork, crossBrand: isDnsHaError(e, 'ERR_CONFIG'), sameClass: e instanceof DnsHaError }))
       })`,
    )
    expect(JSON.parse(run('node', ['cjs.cjs']))).toEqual({ server: 'function', net: 'function', crossBrand: true, sameClass: false })
  })

  it('type-checks a consumer against the shipped .d.ts', () => {
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: ['node'] }, files: ['consumer.ts'] }),
    )
    writeFileSync(
      join(work, 'consumer.ts'),
      `import { DnsServer, respond, type Handler, type DnsQuery } from 'dns-ha'
       import { FakeClock, MemoryNetwork } from 'dns-ha/testing'
       const handler: Handler = { handle: (q: DnsQuery) => respond(q, { rcode: 'NXDOMAIN' }) }
       const clock = new FakeClock()
       const server = new DnsServer({ handler, clock, network: new MemoryNetwork({ clock }) })
       server.on('response', (e) => { const n: number = e.rcode; void n })
       // @ts-expect-error a handler is required
       new DnsServer({})
       export { server }`,
    )
    expect(() => run(join(repo, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'])).not.toThrow()
  }, 180_000)

  it('type-checks a consumer on moduleResolution node10, which ignores `exports` (typesVersions)', () => {
    // node10 reads only `types` and `typesVersions`: without the latter `dns-ha/zone` has no types.
    // esModuleInterop as `tsc --init` sets it: the declarations default-import dns-packet.
    writeFileSync(
      join(work, 'tsconfig.node10.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true, target: 'ES2022', noEmit: true, types: ['node'] }, files: ['node10.ts'] }),
    )
    writeFileSync(
      join(work, 'node10.ts'),
      `import { parseZone, type Zone } from 'dns-ha/zone'
       import { FakeClock } from 'dns-ha/testing'
       import { Authority, DnsServer } from 'dns-ha'
       const zone: Zone = parseZone('@ 300 IN SOA ns1 hostmaster 1 7200 900 1209600 300\\n', { origin: 'example.test.' })
       const server = new DnsServer({ handler: new Authority({ zones: [zone] }), clock: new FakeClock() })
       // @ts-expect-error the zone parser wants an options object, not a bare origin
       parseZone('', 'example.test.')
       export { server }`,
    )
    const out = (() => {
      try {
        return run(join(repo, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node10.json', '--traceResolution'])
      } catch (e) {
        throw new Error(String((e as { stdout?: string }).stdout ?? e))
      }
    })()
    expect(out).toMatch(/Module name 'dns-ha\/zone' was successfully resolved to '[^']*node_modules\/dns-ha\/dist\/zone\/index\.d\.ts'/)
    expect(out).toMatch(/Module name 'dns-ha' was successfully resolved to '[^']*node_modules\/dns-ha\/dist\/index\.d\.ts'/)
  }, 180_000)
})
