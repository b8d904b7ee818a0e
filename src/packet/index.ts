export { classCode, className, EDNS_DO, FLAG, OPCODE, RCODE, rcodeName, TYPE_OPT, typeCode, typeName } from './constants.js'
export type { RcodeName } from './constants.js'
export { ednsOptions, namesEqual, opcodeOf, readEdns, readFlags, readHeader, readId, readName, readQuestion, skipName, writeId } from './wire.js'
export type { WireEdns, WireHeader, WireQuestion } from './wire.js'
