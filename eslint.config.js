// ESLint: typescript-eslint and eslint-plugin-svelte, recommended rules.
// The layering rules (what may import what, no cycles) are checked by
// scripts/check-boundaries.mjs, formatting by Prettier.
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  { ignores: ['dist/', 'dist-lib/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench/out/', 'tests/golden/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // Postfix text is bytes: control characters in patterns are deliberate.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
);
