/**
 * dns-ha: DNS high-availability building blocks. Every module is also its own subpath export
 * (`dns-ha/server`, `dns-ha/zone`, ...); this root re-exports them all.
 */
export * from './util/index.js'
export * from './packet/index.js'
export * from './server/index.js'
export * from './client/index.js'
export * from './zone/index.js'
export * from './authority/index.js'
export * from './pool/index.js'
export * from './forwarder/index.js'
export * from './proxy/index.js'
export * from './health/index.js'
export * from './vrrp/index.js'
export * from './transfer/index.js'
export * from './tsig/index.js'
export * from './transfer/index.js'
export * from './records/index.js'
export * from './topology/index.js'
export * from './testing/index.js'
export * from './metrics/index.js'
