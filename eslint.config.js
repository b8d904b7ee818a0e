import tseslint from 'typescript-eslint'

export default tseslint.config(
  // .stryker-tmp holds a mutation run's sandbox copies of the tree (while it runs).
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.stryker-tmp/**', 'reports/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Tests, benches and examples talk to people; the library never does.
    files: ['test/**', 'bench/**', 'examples/**'],
    rules: { 'no-console': 'off' },
  },
)
