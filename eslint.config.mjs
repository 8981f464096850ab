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
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
