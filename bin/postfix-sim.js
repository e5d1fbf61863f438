#!/usr/bin/env node
// The CLI is built into dist-lib by `npm run build:lib` (run by `npm install`).
import '../dist-lib/cli.js';
