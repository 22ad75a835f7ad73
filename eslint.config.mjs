import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'modeler/dist/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-imports': ['error', { paths: [{ name: 'vm', message: 'diagrams are untrusted: never run them with vm' }, { name: 'node:vm', message: 'diagrams are untrusted: never run them with vm' }] }],
    },
  },
  {
    // engine/ is framework-free: persistence goes through ports it defines.
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vm', message: 'never run diagram code with vm' }, { name: 'node:vm', message: 'never run diagram code with vm' }],
        patterns: [{ group: ['@nestjs/*', 'typeorm', 'pg', 'express', '**/api/**', '**/modeler/**'], message: 'engine/ is framework-free: add a port in engine/persistence/ports.ts instead.' }],
      }],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vm', message: 'never run diagram code with vm' }, { name: 'node:vm', message: 'never run diagram code with vm' }],
        patterns: [{ group: ['**/engine/*', '!**/engine/index'], message: "Import the engine from its public entry ('../../engine') only." }],
      }],
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', setTimeout: 'readonly', URL: 'readonly', fetch: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
