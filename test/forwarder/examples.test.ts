// The example configuration (the seed's, adapted to loopback) parses and serves its hosts file.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Forwarder } from '../../src/forwarder/forwarder.js'
import { parseDnsmasqConf } from '../../src/forwarder/parse-dnsmasq-conf.js'
import { parseHosts } from '../../src/forwarder/parse-hosts.js'
import { ask, datas } from './helpers.js'

const examples = fileURLToPath(new URL('../../examples', import.meta.url))

describe('examples/dnsmasq.conf and examples/hosts', () => {
  it('parse, and the forwarder answers the seed’s name and the IPv6 ones from the hosts file', async () => {
    const config = parseDnsmasqConf(readFileSync(`${examples}/dnsmasq.conf`, 'utf8'), { baseDir: examples, fileName: 'examples/dnsmasq.conf' })
    expect(config).toMatchObject({ listen: { addresses: ['127.0.0.1'], port: 5454 }, strategy: 'strict', servers: [{ address: '127.0.0.1', port: 5300 }], ignored: [] })
    expect(config.hostsFiles).toEqual(['/etc/hosts', `${examples}/hosts`])
    // Only the example's own file here: the machine's /etc/hosts is not the test's business.
    const forwarder = new Forwarder({ ...config, hostsFiles: [`${examples}/hosts`], watch: false })
    await forwarder.start()
    expect(datas(await ask(forwarder, 'xpt.redhat.cn', 'A'))).toEqual(['192.168.111.111'])
    expect(datas(await ask(forwarder, 'app.corp.example', 'AAAA'))).toEqual(['fd00:172:22::10'])
    expect(datas(await ask(forwarder, '210.10.22.172.in-addr.arpa', 'PTR'))).toEqual(['vip.corp.example'])
    await forwarder.close()
    expect(parseHosts(readFileSync(`${examples}/hosts`, 'utf8')).length).toBe(7)
  })
})
