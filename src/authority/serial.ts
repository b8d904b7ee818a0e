/**
 * SOA serial comparison (RFC 1982): moved to the zone module (src/zone/serial.ts) so zone
 * transfer can use it too; re-exported here for the existing imports.
 */
export { compareSerial, serialIncreased } from '../zone/serial.js'
