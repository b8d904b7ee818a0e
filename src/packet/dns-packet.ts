/**
 * The decoded message as dns-packet gives it, with the header's rcode and opcode names it adds on
 * decode. Server queries expose it as `query.packet`; the client's results carry it too.
 */
import type { DecodedPacket } from 'dns-packet'

/** dns-packet's decoded message, with the `rcode` and `opcode` names it sets. */
export type DnsPacket = DecodedPacket & { rcode?: string; opcode?: string }
