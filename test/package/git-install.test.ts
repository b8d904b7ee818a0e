// Proves `npm install <git url>` gives a working package: dist/ is gitignored, so only the
// `prepare` script (npm runs it on a git dependency after installing its devDependencies) can put
// it there. The repository's files (tracked and new, as `git status` sees them) are committed to a
// fresh repository in a temp dir and installed from `git+file://`, the path npm takes for github:.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'dns-ha-git-install-'))
const run = (cmd: string, args: string[], cwd: string, timeout = 60_000) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout })

// npm failures that say "no registry and no cache" rather than "the package is broken".
const OFFLINE = /ENOTCACHED|EAI_AGAIN|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|ECONNRESET/

describe('installing from git', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('npm install git+file://<clone> builds dist/ through prepare, and the package imports', (ctx) => {
    const source = join(work, 'dns-ha')
    const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo).split('\0').filter((f) => f !== '' && existsSync(join(repo, f)))
    for (const f of files) {
      mkdirSync(dirname(join(source, f)), { recursive: true })
      cpSync(join(repo, f), join(source, f))
    }
    expect(existsSync(join(source, 'dist'))).toBe(false)
    run('git', ['init', '-q'], source)
    run('git', ['add', '-A'], source)
    run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-qm', 'snapshot'], source)

    const app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
    try {
      // The devDependencies the prepare step needs come from the cache the repo's own install filled.
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `git+file://${source}`], app, 600_000)
    } catch (e) {
      const err = e as { stderr?: string; message: string }
      const text = `${err.stderr ?? ''}\n${err.message}`
      if (OFFLINE.test(text) && !/tsup|esbuild|error TS|Build failed/i.test(text)) {
        console.warn(`skipping the git install test: npm reached neither the registry nor its cache\n${text.slice(0, 2000)}`)
        ctx.skip('npm has no registry access and no cache for the devDependencies')
      }
      throw new Error(`npm install from git failed:\n${text}`)
    }

    const installed = join(app, 'node_modules/dns-ha')
    for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/zone/index.js', 'dist/zone/index.d.ts']) {
      expect(existsSync(join(installed, f)), f).toBe(true)
    }
    expect(existsSync(join(installed, 'src')), 'only the published files are installed').toBe(false)
    writeFileSync(
      join(app, 'main.mjs'),
      `import { parseZone } from 'dns-ha/zone'
       import { Authority } from 'dns-ha'
       const zone = parseZone('@ 300 IN SOA ns1 hostmaster 7 7200 900 1209600 300\\nwww 300 IN A 192.0.2.80\\n', { origin: 'example.test.' })
       new Authority({ zones: [zone] })
       console.log(JSON.stringify(zone.records.map((r) => r.type)))`,
    )
    expect(JSON.parse(run('node', ['main.mjs'], app))).toEqual(['SOA', 'A'])
  }, 660_000)
})
