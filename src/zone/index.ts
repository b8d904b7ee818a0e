/**
 * The zone module: master-file parser, formatter, zone model and checks.
 */
export { Zone, sameData } from './zone.js'
export type { ZoneRecord, RRset, ZoneNode, SourcePosition, ZoneOptions } from './zone.js'
export { canonicalName, isAbsolute, parentName, labelCount, isSubdomain, compareNames, canonicalSortKey, nameLabels, escapeLabel, hasEscapes } from '../packet/names.js'
export { typeNumber, typeMnemonic, typeKey, packetTypeName, classNumber, packetClassName, classMnemonic, hasPacketCodec } from '../packet/types.js'
export { ZoneFileError, ZoneSyntaxError } from './errors.js'
export type { ZoneDiagnostic } from './errors.js'
export { parseZone, parseRecord, readZoneFile, zoneRecords, expandGenerate } from './parse.js'
export type { ParseZoneOptions, ParseRecordOptions, IncludePolicy } from './parse.js'
export { ZONE_TEXT_LIMITS, ZONE_FILE_LIMITS, checkZoneLimits } from './limits.js'
export type { ZoneLimits } from './limits.js'
export type { ZoneFileSource } from './file-source.js'
export { nodeFiles } from './node-files.js'
export { formatZone, formatRecord, formatRdata } from './format.js'
export type { FormatZoneOptions } from './format.js'
export { checkZone } from './check.js'
export type { ZoneFinding, ZoneCheckResult } from './check.js'
