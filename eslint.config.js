// Lint configuration: typescript-eslint's recommended rules over every TypeScript file, and no import circles in lib/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', 'coverage/', 'lib/topics/generated/', 'example-app/public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Dependencies point one way: no import circle in the package (type-only imports included).
    files: ['lib/**/*.ts'],
    plugins: { 'import-x': importX },
    // ESM imports name `.js`; the sources are `.ts`.
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['example-app/public/**/*.js', 'dashboard-ui/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
