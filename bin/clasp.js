#!/usr/bin/env node
// Development entry: runs the TypeScript CLI through tsx. The bundled dist/clasp.js needs neither.
import { register } from 'tsx/esm/api'
register()
await import('../runtime/cli/main.ts')
