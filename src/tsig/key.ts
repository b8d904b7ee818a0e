/**
 * {@link TsigKey}: a shared secret as configured (BIND's `key` statement), and the checked,
 * ready-to-use form a keyring holds.
 */
import type { TsigAlgorithm } from './algorithms.js'

/** A TSIG key as configured. */
export interface TsigKey {
  /** The key name (`transfer-key`, `partner.example.`); compared without case, trailing dot optional. */
  name: string
  algorithm: TsigAlgorithm
  /** The shared secret: base64 text (what `tsig-keygen` prints) or the raw bytes. */
  secret: string | Uint8Array
}

/** A key checked and prepared for signing: names already in the canonical wire form the MAC covers. */
export interface ResolvedTsigKey {
  /** Lower case with a trailing dot. */
  name: string
  algorithm: TsigAlgorithm
  secret: Buffer
  /** {@link name} in canonical wire form. */
  nameWire: Buffer
  /** The algorithm's wire name in canonical wire form. */
  algorithmWire: Buffer
  /** node:crypto hash name. */
  hash: string
  /** Full MAC length in bytes. */
  macSize: number
}
