// ESLint: a few rules that catch real bugs, with type information where a rule needs it.
// Formatting is Prettier's job (.prettierrc.json); nothing here is about style.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.real-editor/**',
      '.test-artifacts/**',
      'bench/.work/**',
      'bench/results/**',
      'test/fixtures/**',
      'examples/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error (an unhandled rejection, or a step that silently did not happen).
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // A shadowed name reads as the outer one and is not.
      'no-shadow': 'off',
      '@typescript-eslint/no-shadow': 'error',
      // `==` coerces: '0' == 0, null == undefined; say which one is meant.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Tolerated where the code is deliberate; the TypeScript checker already covers these.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
);
