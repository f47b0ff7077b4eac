// One lint setup for the repository: explicit types on module boundaries, type-only imports, no `any`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '.venv-peers/**',
      '**/.venv-cuda/**',
      '**/native/build/**',
      '**/native-cuda/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      // Node's globals for plain JavaScript scripts (TypeScript files get them from @types/node)
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'Buffer',
          'URL',
          'TextEncoder',
          'TextDecoder',
          'performance',
          'setTimeout',
          'clearTimeout',
          'structuredClone',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
);
