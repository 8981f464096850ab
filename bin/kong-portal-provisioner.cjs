#!/usr/bin/env node
// The package bin: runs the TypeScript CLI in-process through tsx (a runtime dependency), so a
// clone needs no build step. tsx is resolved from this file, not the caller's directory.
/* global require -- CommonJS: the shared lint config assumes ES modules */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS launcher by design
require('tsx/cjs/api').register();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loads cli.ts through the hook above
require('./cli.ts');
