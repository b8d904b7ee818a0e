// Our primary -> a knot secondary: see transfer-primary-suite.ts. Skips when knot is not installed.
import { transferPrimarySuite } from './transfer-primary-suite.js'

transferPrimarySuite('knot')
