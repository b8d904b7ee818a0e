// Our primary -> a bind secondary: see transfer-primary-suite.ts. Skips when bind is not installed.
import { transferPrimarySuite } from './transfer-primary-suite.js'

transferPrimarySuite('bind')
