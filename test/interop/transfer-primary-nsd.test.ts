// Our primary -> a nsd secondary: see transfer-primary-suite.ts. Skips when nsd is not installed.
import { transferPrimarySuite } from './transfer-primary-suite.js'

transferPrimarySuite('nsd')
