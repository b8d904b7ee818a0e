// Shared by the differential tests (test/interop/authority-nsd.test.ts, authority-knot.test.ts):
// the generated zone, the query set, and a raw exchange over UDP or TCP.
import dgram from 'node:dgram'
import net from 'node:net'
import dnsPacket from 'dns-packet'
import type { Answer } from 'dns-packet'
import { lines } from './helpers.js'

/** The origin of the differential zone. */
export const ORIGIN = 'diff.test.'

/** A zone with delegations, glue, wildcards, CNAME chains, empty non-terminals and many types. */
export function diffZone(): string {
  const out = [
    '$ORIGIN diff.test.',
    '$TTL 3600',
    '@ IN SOA ns1 hostmaster 2024060101 7200 3600 1209600 600',
    '@ NS ns1',
    '@ NS ns2',
    '@ MX 10 mail',
    '@ MX 20 mx.other.example.',
    '@ TXT "v=spf1 -all"',
    '@ A 192.0.2.1',
    'ns1 A 192.0.2.53',
    'ns1 AAAA 2001:db8::53',
    'ns2 A 192.0.2.54',
    'mail A 192.0.2.25',
    'mail AAAA 2001:db8::25',
    '_sip._udp SRV 10 60 5060 sip',
    '_sip._tcp SRV 10 60 5060 sip.other.example.',
    'sip A 192.0.2.60',
    'caa CAA 0 issue "ca.example"',
    'hinfo HINFO "PC" "Linux"',
    'ptr PTR www.diff.test.',
    'naptr NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .',
    'sshfp SSHFP 1 1 0123456789abcdef0123456789abcdef01234567',
    // CNAME chains
    'c1 CNAME c2',
    'c2 CNAME c3',
    'c3 CNAME h1',
    'cout CNAME www.other.example.',
    'cnx CNAME missing',
    'cwild CNAME foo.w',
    'cdeleg CNAME host.d1',
    'cloop1 CNAME cloop2',
    'cloop2 CNAME cloop1',
    // wildcards
    '*.w A 192.0.2.200',
    '*.w TXT "wild"',
    '*.w MX 5 mail',
    'real.w A 192.0.2.201',
    'x.real.w A 192.0.2.202',
    '*.emptywild.w A 192.0.2.203',
    // empty non-terminals
    'a.b.ent A 192.0.2.7',
    'leaf.deep.deeper.ent AAAA 2001:db8::7',
    // delegations
    'd1 NS ns.d1',
    'd1 NS ns2.d1',
    'ns.d1 A 192.0.2.153',
    'ns2.d1 AAAA 2001:db8::153',
    'd2 NS ns.other.example.',
    'd3 NS ns1.d3',
    'd3 NS ns1',
    'ns1.d3 A 192.0.2.163',
    'd3 DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB',
    'deep.d4.sub NS ns.d1',
    // too big for 512 bytes (and the TXT one for 1232): truncation
    ...Array.from({ length: 40 }, (_, i) => `big TXT "${'t'.repeat(40)} ${i}"`),
    ...Array.from({ length: 13 }, (_, i) => `bigdeleg NS a-rather-long-name-server-name-${i}.bigdeleg`),
    ...Array.from({ length: 13 }, (_, i) => `a-rather-long-name-server-name-${i}.bigdeleg A 192.0.2.${100 + i}`),
    ...Array.from({ length: 13 }, (_, i) => `a-rather-long-name-server-name-${i}.bigdeleg AAAA 2001:db8::${100 + i}`),
    ...Array.from({ length: 12 }, (_, i) => `manyns NS ns${i}.other.example.`),
    ...Array.from({ length: 14 }, (_, i) => `mx14 MX ${i} mail`),
  ]
  for (let i = 0; i < 30; i++) {
    out.push(`h${i} A 192.0.2.${10 + i}`)
    if (i % 2 === 0) out.push(`h${i} AAAA 2001:db8::${(i + 1).toString(16)}`)
    if (i % 3 === 0) out.push(`h${i} TXT "host ${i}" "second string"`)
    if (i % 5 === 0) out.push(`h${i} MX ${i} mail`)
  }
  out.push('www A 192.0.2.80', 'www A 192.0.2.81', 'www AAAA 2001:db8::80')
  return out.join('\n') + '\n'
}

export interface Question {
  name: string
  type: string
  edns: boolean
  tcp: boolean
}

/** The generated query set: names × types, NODATA, NXDOMAIN at depths, below cuts, wildcards, out of zone. */
export function questions(): Question[] {
  const names = [
    '', 'ns1', 'ns2', 'mail', '_sip._udp', '_sip._tcp', 'sip', 'caa', 'hinfo', 'ptr', 'naptr', 'sshfp',
    'c1', 'c2', 'c3', 'cout', 'cnx', 'cwild', 'cdeleg', 'cloop1',
    'w', '*.w', 'foo.w', 'a.b.c.w', 'real.w', 'x.real.w', 'nope.real.w', 'emptywild.w', 'z.emptywild.w', 'q.r.emptywild.w',
    'ent', 'b.ent', 'a.b.ent', 'x.ent', 'deeper.ent', 'deep.deeper.ent', 'nx.deep.deeper.ent',
    'd1', 'ns.d1', 'host.d1', 'a.b.host.d1', 'd2', 'x.d2', 'd3', 'ns1.d3', 'd4.sub', 'sub', 'deep.d4.sub', 'x.deep.d4.sub',
    'nx', 'nx.nx', 'a.b.c.nx', 'nx.h1', 'www', 'h0', 'h3', 'h5', 'h10', 'h15', 'h29',
    'big', 'bigdeleg', 'x.bigdeleg', 'manyns', 'host.manyns', 'mx14',
  ]
  const types = ['A', 'AAAA', 'MX', 'TXT', 'NS', 'SOA', 'CNAME', 'SRV', 'DS', 'CAA', 'PTR', 'HINFO', 'ANY']
  const out: Question[] = []
  let n = 0
  let seed = 12345
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x80000000
  }
  const randomCase = (s: string): string => [...s].map((c) => (rand() < 0.5 ? c.toUpperCase() : c)).join('')
  for (const label of names) {
    for (const type of types) {
      n++
      const name = (label ? `${label}.` : '') + ORIGIN
      out.push({ name: n % 4 === 0 ? randomCase(name) : name, type, edns: n % 3 !== 0, tcp: n % 7 === 0 })
    }
  }
  for (const name of ['www.other.example.', 'test.', 'xdiff.test.', 'diff.test.example.']) out.push({ name, type: 'A', edns: true, tcp: false })
  return out
}

export interface Reply {
  rcode: string
  aa: boolean
  tc: boolean
  answers: string[]
  authorities: string[]
  additionals: string[]
}

/** A short form of a reply for failure messages: rcode, flags, and the two compared sections. */
export function brief(r: Reply): string {
  const cut = (xs: string[]): string => (xs.length > 4 ? `${xs.slice(0, 3).join(' | ')} | ... (${xs.length})` : xs.join(' | '))
  return `${r.rcode}${r.aa ? ' aa' : ''}${r.tc ? ' tc' : ''} an=[${cut(r.answers)}] ns=[${cut(r.authorities)}] ar=${r.additionals.length}`
}

export function exchange(port: number, q: Question, id: number): Promise<Reply> {
  const msg = dnsPacket.encode({
    type: 'query',
    id,
    flags: 0,
    questions: [{ name: q.name, type: q.type as never }],
    ...(q.edns ? { additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232 } as never] } : {}),
  })
  const decode = (buf: Buffer): Reply => {
    const p = dnsPacket.decode(buf) as ReturnType<typeof dnsPacket.decode> & { rcode: string; flag_aa: boolean; flag_tc: boolean }
    return {
      rcode: p.rcode,
      aa: p.flag_aa,
      tc: p.flag_tc,
      answers: lines(p.answers as Answer[]),
      authorities: lines(p.authorities as Answer[]),
      additionals: lines(p.additionals as Answer[]),
    }
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`timeout asking ${q.name} ${q.type} on ${port}`))
    }, 3000)
    let cleanup = (): void => clearTimeout(timer)
    if (q.tcp) {
      const socket = net.connect(port, '127.0.0.1')
      let buf = Buffer.alloc(0)
      cleanup = () => {
        clearTimeout(timer)
        socket.destroy()
      }
      socket.on('connect', () => {
        const len = Buffer.alloc(2)
        len.writeUInt16BE(msg.length)
        socket.write(Buffer.concat([len, msg]))
      })
      socket.on('data', (d) => {
        buf = Buffer.concat([buf, d])
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          cleanup()
          resolve(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))))
        }
      })
      socket.on('error', (e) => {
        cleanup()
        reject(e)
      })
    } else {
      const socket = dgram.createSocket('udp4')
      cleanup = () => {
        clearTimeout(timer)
        socket.close()
      }
      socket.on('message', (m) => {
        cleanup()
        resolve(decode(m))
      })
      socket.send(msg, port, '127.0.0.1')
    }
  })
}
