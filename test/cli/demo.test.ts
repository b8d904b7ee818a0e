// dns-ha demo --failover on loopback: the run ends by itself, prints its figures, and writes a
// timeline page that a real browser renders with the same numbers.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/exit-codes.js'
import { startCli } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'dns-ha-demo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))

describe('dns-ha demo --failover', () => {
  it('kills the master under load, the backup takes the VIP, the master takes it back, and the timeline shows the run', async () => {
    const timeline = join(dir, 'failover.html')
    // advert_int 100 ms (VRRPv3) keeps the run to a few seconds.
    const cli = startCli(['demo', '--failover', '--exit', '--port', '0', '--advert-ms', '100', '--rate', '200', '--timeline', timeline])
    expect(await cli.status).toBe(EXIT.ok)
    const out = cli.out.join('\n')
    const failover = /node a killed, node b held the VIP (\d+) ms later; node a took it back (\d+) ms after its restore/.exec(out)
    expect(failover, out).not.toBeNull()
    const queries = /queries: (\d+) sent, (\d+) answered, (\d+) lost, (\d+) wrong/.exec(out)!
    const [sent, answered, lost, wrong] = queries.slice(1).map(Number) as [number, number, number, number]
    expect(wrong).toBe(0)
    expect(answered + lost).toBe(sent)
    expect(answered).toBeGreaterThan(sent / 2)
    // B takes over within Master_Down_Interval (3 x 100 + skew(100) = 361 ms) of A's last advert, so within ~461 ms of the kill; plus timer slack.
    expect(Number(failover![1])).toBeLessThan(1500)
    console.log(`demo run: takeover ${failover![1]} ms after the kill, failback ${failover![2]} ms after the restore; ${lost} of ${sent} queries lost, 0 wrong`)
    expect(readFileSync(timeline, 'utf8')).toContain('<svg id="timeline"')

    if (!chromium) return console.log('skipped the browser check: no chromium (apt-get install chromium)')
    const { chromium: driver } = await import('playwright-core')
    const browser = await driver.launch({ executablePath: chromium, args: ['--no-sandbox'] })
    try {
      const page = await browser.newPage()
      await page.goto(`file://${timeline}`)
      const figure = async (name: string): Promise<string> => (await page.locator(`[data-figure="${name}"]`).textContent()) ?? ''
      expect(await figure('lost')).toBe(String(lost))
      expect(await figure('answered')).toBe(String(answered))
      expect(await figure('takeover (ms after the kill)')).toBe(failover![1])
      const box = await page.locator('#timeline').boundingBox()
      expect(box!.width).toBeGreaterThan(500)
      expect(await page.locator('#timeline rect').count()).toBeGreaterThan(20)
      expect(await page.locator('#events tbody tr').filter({ hasText: 'machine killed' }).count()).toBe(1)
      await page.screenshot({ path: join(dir, 'failover.png') })
    } finally {
      await browser.close()
    }
  }, 60_000)
})
