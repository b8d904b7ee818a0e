import { describe, expect, it } from 'vitest'
import { parseZoneArgument } from '../../src/cli/zone-argument.js'

describe('--zone FILE[:ORIGIN]', () => {
  it('takes an explicit origin after the last colon, made absolute', () => {
    expect(parseZoneArgument('/etc/zones/a.txt:Example.COM')).toEqual({ file: '/etc/zones/a.txt', origin: 'example.com.' })
    expect(parseZoneArgument('zones/x:example.com.')).toEqual({ file: 'zones/x', origin: 'example.com.' })
  })

  it('reads the origin from BIND-style file names', () => {
    expect(parseZoneArgument('/var/named/example.com.zone').origin).toBe('example.com.')
    expect(parseZoneArgument('db.example.net').origin).toBe('example.net.')
    expect(parseZoneArgument('/z/10.in-addr.arpa.db').origin).toBe('10.in-addr.arpa.')
    expect(parseZoneArgument('test.com').origin).toBe('test.com.')
    expect(parseZoneArgument('test.com:').file).toBe('test.com')
  })

  it('refuses a name that does not spell a zone, saying how to give one', () => {
    expect(() => parseZoneArgument('/etc/named/primary')).toThrow(/write it as \/etc\/named\/primary:example\.com/)
    expect(() => parseZoneArgument('zone.')).toThrow(/origin/)
  })
})
