/**
 * The admin page in a real browser (headless Chromium via playwright-core): a record added and
 * deleted through the page's forms, checked with dig against an Authority serving the store.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { Authority } from '../../src/authority/index.js'
import { DnsServer } from '../../src/server/index.js'
import { closeStores, exampleZone, openStore, startAdmin, WRITE } from './admin-helpers.js'

const run = promisify(execFile)
const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
const haveDig = await run('dig', ['-v']).then(() => true, () => false)
const screenshot = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/images/admin-page.png')
if (!chromiumPath) console.warn('skipping the admin page browser test: no chromium (apt-get install chromium)')
if (!haveDig) console.warn('skipping the admin page browser test: dig is not installed (apt-get install bind9-dnsutils)')

const cleanup: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const f of cleanup.reverse()) await f()
  await closeStores()
})

/** dig's status and answer lines for one question. */
async function dig(port: number, name: string, type: string): Promise<{ status: string; answers: string[] }> {
  const { stdout } = await run('dig', [`@127.0.0.1`, '-p', String(port), name, type, '+norec', '+time=2', '+tries=2', '+nocmd', '+nostats'])
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'none'
  const section = stdout.split(';; ANSWER SECTION:')[1]?.split('\n\n')[0] ?? ''
  return { status, answers: section.split('\n').filter((l) => l.trim() !== '').map((l) => l.split(/\s+/).slice(1).join(' ')) }
}

describe.skipIf(!chromiumPath || !haveDig)('admin page in Chromium', () => {
  it('adds a record through the form, dig sees it, shows the server message for a bad one, deletes it', async () => {
    const store = await openStore([exampleZone()])
    const auth = new Authority({ store, notify: false })
    const server = new DnsServer({ handler: auth })
    const dns = await server.listen({ address: '127.0.0.1', port: 0 })
    cleanup.push(() => server.close())
    const admin = await startAdmin(store)
    cleanup.push(() => admin.close())

    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] })
    cleanup.push(() => browser.close())
    const page = await browser.newPage({ viewport: { width: 1200, height: 760 } })
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(admin.url)
    await expect.poll(() => page.textContent('#message')).toMatch(/Enter an API token/)

    await page.fill('#token', WRITE)
    await page.click('#save-token')
    await page.waitForSelector('#zones button[data-origin="example.com."]')
    await expect.poll(() => page.textContent('#serial')).toBe('100')
    expect(await page.evaluate("[sessionStorage.getItem('dns-ha-token'), document.cookie]")).toEqual([WRITE, ''])

    // Add through the form.
    expect((await dig(dns.port, 'web.example.com', 'A')).status).toBe('NXDOMAIN')
    await page.fill('#f-name', 'web')
    await page.fill('#f-ttl', '300')
    await page.fill('#f-type', 'A')
    await page.fill('#f-data', '192.0.2.77')
    await page.click('#f-submit')
    await expect.poll(() => page.textContent('#message')).toBe('Added web A: serial 101')
    await page.waitForSelector('#records tr[data-name="web.example.com."]')
    await expect.poll(() => page.textContent('#serial')).toBe('101')
    expect(await dig(dns.port, 'web.example.com', 'A')).toEqual({ status: 'NOERROR', answers: ['300 IN A 192.0.2.77'] })

    // The search box narrows the list.
    await page.fill('#search', 'web')
    await page.press('#search', 'Enter')
    await expect.poll(() => page.$$eval('#records tbody tr', (rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['web.example.com.'])
    await page.fill('#search', '')
    await page.press('#search', 'Enter')
    await expect.poll(() => page.$$eval('#records tbody tr', (rows) => rows.length)).toBe(9)
    mkdirSync(dirname(screenshot), { recursive: true })
    await page.screenshot({ path: screenshot, fullPage: true })

    // An invalid record: the server's message, shown as given; nothing changed.
    await page.fill('#f-name', 'bad')
    await page.fill('#f-ttl', '')
    await page.fill('#f-type', 'A')
    await page.fill('#f-data', '192.0.2.999')
    await page.click('#f-submit')
    await expect.poll(() => page.getAttribute('#message', 'class')).toBe('error')
    expect(await page.textContent('#message')).toMatch(/^line 1, column \d+: .*192\.0\.2\.999/)
    expect(store.serial('example.com.')).toBe(101)
    // A CNAME beside other data: the store's reason.
    await page.fill('#f-name', 'web')
    await page.fill('#f-type', 'CNAME')
    await page.fill('#f-data', 'www')
    await page.click('#f-submit')
    await expect.poll(() => page.textContent('#message')).toMatch(/CNAME/i)
    expect(await page.getAttribute('#message', 'class')).toBe('error')

    // Delete through the page.
    await page.click('#records tr[data-name="web.example.com."] button:text("Delete")')
    await expect.poll(() => page.textContent('#message')).toBe('Deleted web.example.com. A 192.0.2.77: serial 102')
    await expect.poll(() => page.$$('#records tr[data-name="web.example.com."]').then((r) => r.length)).toBe(0)
    expect((await dig(dns.port, 'web.example.com', 'A')).status).toBe('NXDOMAIN')
    expect(pageErrors).toEqual([])
  }, 120_000)
})
