/**
 * parseNginxStream accepts what nginx accepts: each stream block is checked by `nginx -t` too
 * (wrapped in a full configuration with its own pid and error log under a temporary prefix).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseNginxStream } from '../../src/proxy/index.js'

const NGINX = '/usr/sbin/nginx'
const MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so'
const available = existsSync(NGINX) && existsSync(MODULE)
if (!available) console.warn(`nginx interop: ${NGINX} or ${MODULE} not found (apt-get install nginx libnginx-mod-stream); skipping`)

const dir = available ? mkdtempSync(join(tmpdir(), 'dns-ha-nginx-')) : ''
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Whether `nginx -t` accepts `stream` as the stream block of a full configuration. */
function nginxAccepts(stream: string): boolean {
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, `load_module ${MODULE};\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\n${stream}\n`)
  try {
    execFileSync(NGINX, ['-t', '-q', '-c', conf, '-p', `${dir}/`], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}

function weAccept(stream: string): boolean {
  try {
    parseNginxStream(stream)
    return true
  } catch {
    return false
  }
}

const VALID = [
  // The seed's block.
  'stream {\nupstream dns {\nserver 172.22.10.237:5353 weight=1;\nserver 172.22.10.50:5354 weight=1;\n}\nserver {\nlisten 53 udp;\nproxy_connect_timeout 1s;\nproxy_timeout 20s;\nproxy_pass dns;\n}\n}',
  'stream { upstream u { server 127.0.0.1:5353 weight=3 max_fails=2 fail_timeout=30s; server 127.0.0.2:5353 backup; server 127.0.0.3:5353 down; least_conn; } server { listen 127.0.0.1:15353 udp reuseport; listen 127.0.0.1:15353; proxy_pass u; proxy_responses 1; proxy_timeout 1m30s; proxy_next_upstream on; proxy_next_upstream_tries 2; proxy_next_upstream_timeout 500ms; } }',
  'stream { upstream u { hash $remote_addr consistent; server 127.0.0.1:5353; } upstream v { server 127.0.0.1:5354; random two least_conn; } server { listen 15354 udp; proxy_pass u; } server { listen 15355 udp; proxy_pass v; } }',
  'stream { proxy_timeout 3s; server { listen [::1]:15356 udp; proxy_pass 127.0.0.1:53; } }',
]

const INVALID = [
  'stream { upstream u { server 127.0.0.1:5353 weight=0; } server { listen 15353 udp; proxy_pass u; } }',
  'stream { upstream u { server 127.0.0.1; } server { listen 15353 udp; proxy_pass u; } }',
  'stream { server { listen 15353 udp; proxy_pass 127.0.0.1:53; proxy_timeout 30s1m; } }',
  'stream { server { listen 15353 udp; proxy_pass 127.0.0.1:53; proxy_next_upstream maybe; } }',
  'stream { server { listen 15353 udp; proxy_pass 127.0.0.1:53 } }',
  'stream { upstream u { } server { listen 15353 udp; proxy_pass u; } }',
  'stream { server { listen 15353 udp; proxy_pass 127.0.0.1:53; frobnicate on; } }',
  'stream { upstream u { server 127.0.0.1:53; } upstream u { server 127.0.0.1:54; } server { listen 15353 udp; proxy_pass u; } }',
]

describe.skipIf(!available)('parseNginxStream agrees with nginx -t', () => {
  it.each(VALID.map((c, i) => [i, c]))('valid config %i: both accept', (_i, config) => {
    expect(nginxAccepts(config as string)).toBe(true)
    expect(weAccept(config as string)).toBe(true)
  })

  it.each(INVALID.map((c, i) => [i, c]))('invalid config %i: both reject', (_i, config) => {
    expect(nginxAccepts(config as string)).toBe(false)
    expect(weAccept(config as string)).toBe(false)
  })
})
