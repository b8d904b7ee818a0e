export * from '../../src/zone/index.js'
export { isDnsHaError as isDnsHaErrorLike } from '../../src/util/errors.js'
