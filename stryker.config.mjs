// StrykerJS mutation testing (docs/testing.md, "Mutation testing"). Run it through
// `npm run mutate -- <module|file>...` (scripts/mutate.ts), which sets `mutate`, the incremental
// file and the report names per module; running `npx stryker run` directly mutates every module.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: {
    // Only the unit and in-process integration tests: see vitest.mutation.config.ts for why.
    configFile: 'vitest.mutation.config.ts',
    // Each mutant runs only the test files that import (transitively) the mutated file...
    related: true,
  },
  // ...and, within those, only the tests that reached the mutant in the dry run.
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: ['src/**/*.ts', '!src/**/index.ts', '!src/testing/**'],
  // A rerun tests only mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['html', 'clear-text', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportScoreTable: true, reportMutants: true },
  // Nothing the tests need lives here; copying it into every sandbox only costs time.
  ignorePatterns: ['dist', 'coverage', 'reports', '.vitest-cache', '*.tgz'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // Real-socket integration tests get some slack on a busy machine before a mutant counts as a timeout.
  timeoutMS: 10000,
  timeoutFactor: 2,
  // The unmutated run of everything a server file reaches (most of the suite) took over Stryker's
  // default 5 minutes on the shared machine at load 18, which aborts the whole run.
  dryRunTimeoutMinutes: 20,
  // The floors are enforced per module by scripts/mutate.ts, not by Stryker's single threshold.
  thresholds: { high: 90, low: 80, break: null },
}
