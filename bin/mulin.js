#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm run build`
// (which `npm install` runs through the prepare script).
require('../dist/src/cli.js').cliMain(process.argv.slice(2));
