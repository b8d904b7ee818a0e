/** The {@link DnsServer}'s families: queries and responses by transport and rcode, truncation, drops, TCP, TSIG. */
import { DnsServer } from '../server/dns-server.js'
import type { DnsServerSnapshot } from '../server/dns-server.js'
import type { ComponentKind, Sample } from './family.js'
import { byKey, counter, gauge } from './family.js'

const TRANSPORTS = ['udp', 'tcp'] as const

function perTransport(s: DnsServerSnapshot, server: string, pick: (c: DnsServerSnapshot['udp']) => number): Sample[] {
  return TRANSPORTS.map((transport) => [{ server, transport }, pick(s[transport])] as const)
}

/** `DnsServer` as a watched kind (label `server`). */
export const serverKind: ComponentKind<DnsServer, DnsServerSnapshot> = {
  kind: 'server',
  matches: (c): c is DnsServer => c instanceof DnsServer,
  snapshot: (c) => c.snapshot(),
  families: [
    counter('dnsha_server_queries_total', 'DNS messages received, by transport (the dropped ones included).', ['server', 'transport'], (s, server) => perTransport(s, server, (c) => c.queries)),
    counter('dnsha_server_responses_total', 'Responses sent, by transport and rcode (FORMERR: unreadable queries).', ['server', 'transport', 'rcode'], (s, server) =>
      TRANSPORTS.flatMap((transport) => byKey({ server, transport }, 'rcode', s[transport].rcodes))),
    counter('dnsha_server_truncated_responses_total', 'Responses sent with TC set because they did not fit the client\'s UDP size.', ['server', 'transport'], (s, server) => perTransport(s, server, (c) => c.truncated)),
    counter('dnsha_server_dropped_messages_total', 'Messages dropped unanswered (too short, QR set, the handler said DROP, closing).', ['server', 'transport'], (s, server) => perTransport(s, server, (c) => c.dropped)),
    gauge('dnsha_server_in_flight_queries', 'Queries being answered now.', ['server'], (s, server) => [[{ server }, s.inFlight]]),
    gauge('dnsha_server_tcp_connections', 'TCP connections open now.', ['server'], (s, server) => [[{ server }, s.tcp.connections]]),
    counter('dnsha_server_tcp_refused_connections_total', 'TCP connections refused at once (over maxTcpConnections).', ['server'], (s, server) => [[{ server }, s.tcp.refusedConnections]]),
    counter('dnsha_server_tsig_total', 'TSIG-signed messages by verification result (verified, badkey, badsig, badtime, malformed).', ['server', 'result'], (s, server) => [
      [{ server, result: 'verified' }, s.tsig.verified],
      [{ server, result: 'badkey' }, s.tsig.badKey],
      [{ server, result: 'badsig' }, s.tsig.badSig],
      [{ server, result: 'badtime' }, s.tsig.badTime],
      [{ server, result: 'malformed' }, s.tsig.malformed],
    ]),
  ],
}
