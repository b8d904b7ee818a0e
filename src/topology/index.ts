// Topologies: the seed designs assembled from the modules, runnable on loopback or in memory.
export { DnsmasqNginxKeepalived, seedVrrpOptions, startDnsmasqNginxKeepalived } from './dnsmasq-nginx-keepalived.js'
export type { DnsmasqNginxKeepalivedOptions, NodeEndpoints, NodeName, NodeSnapshot, SeedVrrpOptions, TopologyEvents } from './dnsmasq-nginx-keepalived.js'
export { SEED_ADDRESSES, SEED_HOSTS, SEED_NGINX_STREAM, seedDnsmasqConf, seedKeepalivedConf, UPSTREAM_ZONE } from './dnsmasq-nginx-keepalived-configs.js'
export { VipFront } from './vip-front.js'
export type { VipFrontEvents, VipFrontOptions, VipHolder } from './vip-front.js'
export { SeverableTransport } from './severable-transport.js'
export { textFiles } from './text-files.js'
