import { readdirSync, existsSync } from 'node:fs'
import { defineConfig } from 'tsup'

// One entry per module folder that has an index.ts, plus the root; test/package/exports.test.ts
// checks that package.json's exports map lists exactly these.
const modules = readdirSync('src', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`src/${d.name}/index.ts`))
  .map((d) => d.name)

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    ...Object.fromEntries(modules.map((m) => [`${m}/index`, `src/${m}/index.ts`])),
    // The `dns-ha` executable (package.json `bin`); not a module, so not in the exports map.
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'node20',
  platform: 'node',
  shims: true,
})
