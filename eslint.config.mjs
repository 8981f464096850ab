import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.local/',
      'coverage/',
      'jest.config.js',
      'test/support/summary-reporter.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The bundles' CommonJS stand-ins for dependencies' dependencies (lambdas/clients/stand-ins).
    files: ['lambdas/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { exports: 'writable', module: 'writable', URL: 'readonly', URLSearchParams: 'readonly' },
    },
  },
  {
    // ServiceNow server-side script shipped as documentation: Rhino globals, a script, not a module.
    files: ['docs/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        gs: 'readonly',
        current: 'readonly',
        previous: 'readonly',
        sn_ws: 'readonly',
        GlideDateTime: 'readonly',
        GlideStringUtil: 'readonly',
        GlideCertificateEncryption: 'readonly',
      },
    },
  },
  {
    // Bundled code: `import { z }` binds zod's whole namespace object, so esbuild keeps all of zod
    // and its ~40 locales (~470 kB) in every function; `import * as z` lets it drop what is unused.
    files: ['lambdas/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: "Use `import * as z from 'zod'`: the named import keeps all of zod in every bundle.",
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
