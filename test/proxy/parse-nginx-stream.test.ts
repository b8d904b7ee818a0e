import { describe, expect, it } from 'vitest'
import { SEED_STREAM as SEED } from './fixtures/seed-stream.js'
import { parseNginxStream, parseNginxTime } from '../../src/proxy/index.js'
import { isDnsHaError } from '../../src/util/errors.js'
import { errorOf } from '../support/error-of.js'


/** The error's position and reason, for compact assertions. */
function failure(text: string): string {
  const e = errorOf(() => parseNginxStream(text, { file: 'x.conf' })) as { file: string; line: number; column: number; reason: string }
  expect(isDnsHaError(e, 'ERR_PROXY_CONFIG')).toBe(true)
  return `${e.file}:${e.line}:${e.column}: ${e.reason}`
}

describe('parseNginxStream', () => {
  it('reads the seed block as pool options', () => {
    expect(parseNginxStream(SEED)).toEqual({
      ignored: [],
      servers: [
        {
          listen: { address: '0.0.0.0', port: 53, udp: true, tcp: false, reuseport: false },
          upstream: 'dns',
          line: 6,
          column: 1,
          options: {
            members: [
              { address: '172.22.10.237', port: 5353, weight: 1 },
              { address: '172.22.10.50', port: 5354, weight: 1 },
            ],
            connectTimeoutMs: 1000,
            timeoutMs: 20_000,
          },
        },
      ],
    })
  })

  it('skips the main context around the stream block and lists what it skipped', () => {
    const text = `user www-data;\nworker_processes auto;\npid /run/nginx.pid;\nerror_log /var/log/nginx/error.log;\nload_module modules/ngx_stream_module.so;\nevents { worker_connections 768; }\nhttp { server { listen 80; location / { return 200; } } }\n${SEED}`
    const config = parseNginxStream(text)
    expect(config.ignored.map((d) => `${d.name}@${d.line}:${d.column}`)).toEqual([
      'user@1:1', 'worker_processes@2:1', 'pid@3:1', 'error_log@4:1', 'load_module@5:1', 'events@6:1', 'http@7:1',
    ])
    expect(config.servers).toHaveLength(1)
    expect(config.servers[0]!.options.members).toHaveLength(2)
  })

  it('reads every server parameter and maps each balancing method', () => {
    const text = `stream {
      upstream a { server 10.0.0.1:53 weight=3 max_fails=2 fail_timeout=30s; server 10.0.0.2:53 backup; server [2001:db8::1]:5353 down; least_conn; }
      upstream b { hash $remote_addr consistent; server 10.0.0.3:53; }
      upstream c { server 10.0.0.4:53; random two least_conn; }
      upstream d { server 10.0.0.5:53; random two; }
      upstream e { server 10.0.0.6:53; hash $remote_addr; }
      upstream f { server 10.0.0.7:53; }
      server { listen 127.0.0.1:5300 udp reuseport; proxy_pass a; proxy_responses 2; }
      server { listen 5301 udp; proxy_pass b; }
      server { listen 5302 udp; proxy_pass c; }
      server { listen 5303 udp; proxy_pass d; }
      server { listen 5304 udp; proxy_pass e; }
      server { listen 5305 udp; proxy_pass f; }
      server { listen [::1]:5306; proxy_pass 10.0.0.9:5353; proxy_next_upstream off; proxy_next_upstream_tries 2; proxy_next_upstream_timeout 5s; }
    }`
    const servers = parseNginxStream(text).servers
    expect(servers[0]!.listen).toEqual({ address: '127.0.0.1', port: 5300, udp: true, tcp: false, reuseport: true })
    expect(servers[0]!.options).toEqual({
      members: [
        { address: '10.0.0.1', port: 53, weight: 3, maxFails: 2, failTimeoutMs: 30_000 },
        { address: '10.0.0.2', port: 53, backup: true },
        { address: '2001:db8::1', port: 5353, down: true },
      ],
      policy: 'least-outstanding',
      responses: 2,
    })
    expect(servers.map((s) => s.options.policy)).toEqual(['least-outstanding', 'hash', 'random-two', 'random-two', 'hash', undefined, undefined])
    expect(servers[6]).toMatchObject({
      listen: { address: '::1', port: 5306, udp: false, tcp: true },
      upstream: undefined,
      options: { members: [{ address: '10.0.0.9', port: 5353 }], nextUpstream: false, nextUpstreamTries: 2, nextUpstreamTimeoutMs: 5000 },
    })
  })

  it('merges `listen 53 udp; listen 53;` into one UDP and TCP listener', () => {
    const s = parseNginxStream('stream { server { listen 53 udp; listen 53; proxy_pass 10.0.0.1:53; } }').servers[0]!
    expect(s.listen).toEqual({ address: '0.0.0.0', port: 53, udp: true, tcp: true, reuseport: false })
  })

  it('lets a server inherit proxy settings from the stream level and override them', () => {
    const text = 'stream { proxy_timeout 3s; proxy_responses 1; upstream u { server 10.0.0.1:53; } server { listen 53 udp; proxy_pass u; proxy_timeout 500ms; } server { listen 54 udp; proxy_pass u; } }'
    const [a, b] = parseNginxStream(text).servers
    expect(a!.options).toMatchObject({ timeoutMs: 500, responses: 1 })
    expect(b!.options).toMatchObject({ timeoutMs: 3000, responses: 1 })
  })

  it('reads comments and quoted strings', () => {
    const text = 'stream { # front\n  upstream "dns" { server \'10.0.0.1:53\'; } # members\n  server { listen "53" udp; proxy_pass dns; }\n}'
    expect(parseNginxStream(text).servers[0]!.options.members).toEqual([{ address: '10.0.0.1', port: 53 }])
  })

  it('gives each member list its own copy (two servers on one upstream)', () => {
    const [a, b] = parseNginxStream('stream { upstream u { server 10.0.0.1:53; } server { listen 53 udp; proxy_pass u; } server { listen 54 udp; proxy_pass u; } }').servers
    expect(a!.options.members[0]).not.toBe(b!.options.members[0])
  })

  it('ignores every main-context directive that configures nginx itself', () => {
    const names = ['user', 'worker_processes', 'worker_rlimit_nofile', 'worker_rlimit_core', 'worker_cpu_affinity', 'worker_priority',
      'worker_shutdown_timeout', 'error_log', 'pid', 'load_module', 'daemon', 'master_process', 'env', 'pcre_jit', 'thread_pool',
      'timer_resolution', 'working_directory', 'lock_file', 'ssl_engine', 'debug_points']
    const blocks = ['events', 'http', 'mail']
    const text = [...names.map((n) => `${n} x;`), ...blocks.map((b) => `${b} { anything goes; }`)].join('\n')
    expect(parseNginxStream(text).ignored.map((d) => d.name)).toEqual([...names, ...blocks])
  })

  it('reads escapes in words and quoted strings as nginx does', () => {
    const text = String.raw`stream { upstream "a\"b" { server 10.0.0.1:53; } server { listen 53 udp; proxy_pass a\"b; } upstream 'c\\d' { server 10.0.0.2:53; } server { listen 54 udp; proxy_pass "c\\d"; } }`
    expect(parseNginxStream(text).servers.map((x) => x.upstream)).toEqual(['a"b', 'c\\d'])
    const tabs = String.raw`stream { upstream "t\tr\rn\nx\y" { server 10.0.0.1:53; } server { listen 53 udp; proxy_pass "t\tr\rn\nx\y"; } }`
    expect(parseNginxStream(tabs).servers[0]!.upstream).toBe('t\tr\rn\nx\\y')
  })

  it('counts lines inside quoted strings for later positions', () => {
    expect(failure('stream { upstream "a\nb" { server 10.0.0.1:53; }\n  bogus; }')).toBe('x.conf:3:3: unsupported directive "bogus" in stream')
  })

  it('rejects a quoted word glued to more text, and wrong argument counts', () => {
    expect(failure('stream { upstream "u"x { } }')).toBe('x.conf:1:22: unexpected "x"')
    expect(failure('stream x { }')).toBe('x.conf:1:8: invalid number of arguments in "stream" directive')
    expect(failure('stream { upstream { } }')).toBe('x.conf:1:10: invalid number of arguments in "upstream" directive')
    expect(failure('stream { upstream a b { } }')).toBe('x.conf:1:21: invalid number of arguments in "upstream" directive')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; proxy_timeout 1s 2s; } }')).toBe('x.conf:1:75: invalid number of arguments in "proxy_timeout" directive')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; proxy_timeout; } }')).toBe('x.conf:1:58: invalid number of arguments in "proxy_timeout" directive')
    expect(failure('stream { upstream u { server; } }')).toBe('x.conf:1:23: invalid number of arguments in "server" directive')
    expect(failure('stream { server { listen; proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:19: invalid number of arguments in "listen" directive')
    expect(failure('stream { upstream u { server 10.0.0.1:53; least_conn x; } }')).toBe('x.conf:1:54: invalid number of arguments in "least_conn" directive')
    expect(failure('stream { upstream u { server 10.0.0.1:53; hash; } }')).toBe('x.conf:1:43: invalid number of arguments in "hash" directive')
    expect(failure('stream { upstream u { server 10.0.0.1:53; hash $remote_addr sticky; } }')).toBe('x.conf:1:61: invalid parameter "sticky"')
    expect(failure('stream { upstream u { server 10.0.0.1:53; random three; } }')).toBe('x.conf:1:50: invalid parameter "three"')
    expect(failure('stream { upstream u { server 10.0.0.1:53; random two most_conn; } }')).toBe('x.conf:1:54: invalid parameter "most_conn"')
    expect(failure('stream { upstream u { server 10.0.0.1:53; random two least_conn x; } }')).toBe('x.conf:1:65: invalid number of arguments in "random" directive')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; proxy_pass 10.0.0.2:53; } }')).toBe('x.conf:1:58: "proxy_pass" directive is duplicate')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; proxy_timeout 1s; proxy_timeout 2s; } }')).toBe('x.conf:1:76: "proxy_timeout" directive is duplicate')
    expect(failure('stream { server { listen 53 udp; listen 53 udp; proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:41: duplicate listen 53')
    expect(failure('stream { server { listen 53; listen 53; proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:37: duplicate listen 53')
    expect(failure('stream { server { listen 0 udp; proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:26: invalid port in "0" of the "listen" directive')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:65536; } }')).toBe('x.conf:1:45: invalid port in "10.0.0.1:65536"')
    expect(failure('stream { server { listen bogus:53 udp; proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:26: invalid address in "bogus:53" of the "listen" directive')
    expect(failure('stream { } stream { }')).toBe('x.conf:1:12: "stream" directive is duplicate')
  })

  it('reads the listen address forms', () => {
    const listen = (where: string) => parseNginxStream(`stream { server { listen ${where} udp; proxy_pass 10.0.0.1:53; } }`).servers[0]!.listen
    expect(listen('*:53')).toMatchObject({ address: '0.0.0.0', port: 53 })
    expect(listen('[::]:5353')).toMatchObject({ address: '::', port: 5353 })
    expect(listen('192.0.2.1:65535')).toMatchObject({ address: '192.0.2.1', port: 65535 })
  })

  it('merges `listen 53; listen 53 udp reuseport;` keeping each flag', () => {
    const s = parseNginxStream('stream { server { listen 53; listen 53 udp reuseport; proxy_pass 10.0.0.1:53; } }').servers[0]!
    expect(s.listen).toEqual({ address: '0.0.0.0', port: 53, udp: true, tcp: true, reuseport: true })
  })

  it('names file:line:column for unsupported directives, unknown upstreams and bad values', () => {
    expect(failure('stream {\n  upstream dns { server 10.0.0.1:53; keepalive 4; }\n}')).toBe('x.conf:2:38: unsupported directive "keepalive" in upstream')
    expect(failure('stream {\n  server { listen 53 udp;\n    proxy_pass nowhere; }\n}')).toBe('x.conf:3:16: unknown upstream "nowhere"')
    expect(failure('stream { upstream u { server 10.0.0.1:53 weight=0; } }')).toBe('x.conf:1:42: invalid parameter "weight=0"')
    expect(failure('stream { upstream u { server 10.0.0.1:53 max_conns=3; } }')).toBe('x.conf:1:42: unsupported parameter "max_conns=3"')
    expect(failure('stream { upstream u { server 10.0.0.1; } }')).toBe('x.conf:1:30: no port in upstream "10.0.0.1"')
    expect(failure('stream { upstream u { server ns1.example:53; } }')).toMatch(/^x\.conf:1:30: "ns1\.example:53" in upstream is not an IP address/)
    expect(failure('stream { upstream u { } }')).toBe('x.conf:1:19: no servers in upstream "u"')
    expect(failure('stream { upstream u { server 10.0.0.1:53; hash $binary_remote_addr; } }')).toBe('x.conf:1:48: unsupported hash key "$binary_remote_addr" (only $remote_addr)')
    expect(failure('stream { upstream u { server 10.0.0.1:53; least_conn; random; } }')).toBe('x.conf:1:55: load balancing method redefined')
    expect(failure('stream { upstream u { server 10.0.0.1:53 backup; hash $remote_addr; } }')).toBe('x.conf:1:42: "backup" is not supported with "hash"')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; proxy_timeout 30s1m; } }')).toBe('x.conf:1:72: invalid time value "30s1m"')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; proxy_responses -1; } }')).toBe('x.conf:1:74: invalid value "-1"')
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; proxy_next_upstream maybe; } }')).toMatch(/^x\.conf:1:78: invalid value "maybe"/)
    expect(failure('stream { server { listen 53 udp ssl; proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:33: unsupported parameter "ssl" of the "listen" directive')
    expect(failure('stream { server { listen 70000 udp; proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:26: invalid port in "70000" of the "listen" directive')
    expect(failure('stream { server { listen 53 udp; } }')).toBe('x.conf:1:10: no "proxy_pass" is defined for server')
    expect(failure('stream { server { proxy_pass 10.0.0.1:53; } }')).toBe('x.conf:1:10: no "listen" is defined for server')
    expect(failure('stream { server { listen 53 udp; listen 54 udp; proxy_pass 10.0.0.1:53; } }')).toMatch(/^x\.conf:1:41: a server listening on two addresses/)
    expect(failure('stream { server { listen 53 udp; proxy_pass 10.0.0.1:53; ssl_preread on; } }')).toBe('x.conf:1:58: unsupported directive "ssl_preread" in server')
    expect(failure('worker_processes 1;\nfrobnicate on;')).toBe('x.conf:2:1: unknown directive "frobnicate" in the main context')
    expect(failure('stream { upstream u { server 10.0.0.1:53; } upstream u { server 10.0.0.2:53; } }')).toBe('x.conf:1:54: duplicate upstream "u"')
  })

  it('names the position of syntax errors', () => {
    expect(failure('stream {\n  server { listen 53 udp }\n')).toBe('x.conf:2:26: unexpected "}"')
    expect(failure('stream {\n  upstream u { server 10.0.0.1:53; }\n')).toBe('x.conf:3:1: unexpected end of file, expecting "}"')
    expect(failure('stream { }\n}')).toBe('x.conf:2:1: unexpected "}"')
    expect(failure('stream { upstream "u { }')).toBe('x.conf:1:19: unterminated quoted string')
    expect(failure('stream { upstream u { server 10.0.0.1:53 }')).toBe('x.conf:1:42: unexpected "}"')
    expect(failure('stream { upstream u { server 10.0.0.1:53; } server { listen 53 udp; proxy_pass u }')).toBe('x.conf:1:82: unexpected "}"')
    expect(failure('stream;')).toBe('x.conf:1:1: directive "stream" has no opening "{"')
    expect(failure('stream { proxy_timeout 1s { } }')).toBe('x.conf:1:10: directive "proxy_timeout" is not terminated by ";"')
  })
})

describe('parseNginxTime', () => {
  it('reads nginx time values to milliseconds', () => {
    expect(parseNginxTime('500ms')).toBe(500)
    expect(parseNginxTime('20s')).toBe(20_000)
    expect(parseNginxTime('20')).toBe(20_000)
    expect(parseNginxTime('1m30s')).toBe(90_000)
    expect(parseNginxTime('1h')).toBe(3_600_000)
    expect(parseNginxTime('1d2h')).toBe(93_600_000)
    expect(parseNginxTime('1w')).toBe(604_800_000)
    expect(parseNginxTime('1M')).toBe(2_592_000_000)
    expect(parseNginxTime('1y')).toBe(31_536_000_000)
    expect(parseNginxTime('1m30')).toBe(90_000)
    expect(parseNginxTime('1s500ms')).toBe(1500)
  })

  it('rejects malformed and out-of-order values', () => {
    for (const bad of ['', 's', '30s1m', '1s1s', '30x', '1.5s', '-1s', '30 s', '1ms1s', '30 ']) expect(parseNginxTime(bad), bad).toBeUndefined()
  })
})
