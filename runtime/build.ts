/**
 * `npm run build`: bundle the CLI and everything it needs into one file, dist/clasp.js, that
 * runs with nothing but Node (copy it to a Pi and `node clasp.js server`). Native modules stay
 * outside: serialport and the MIDI packages are loaded lazily, only when a serial device or a MIDI
 * port is asked for, and may be absent (they are optional dependencies).
 */
import { build } from 'esbuild'
import { statSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outfile = join(root, 'dist/clasp.js')

await build({
  entryPoints: [join(root, 'runtime/cli/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  external: ['serialport', '@serialport/*', 'midi', '@julusian/midi', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
})

// The project is ESM; this marker makes Node read the CommonJS bundle as such inside dist/.
// Copied on its own (no package.json around it), clasp.js is CommonJS by default.
writeFileSync(join(root, 'dist/package.json'), '{ "type": "commonjs" }\n')

const raw = statSync(outfile).size
const gz = gzipSync(readFileSync(outfile)).length
console.log(`dist/clasp.js: ${(raw / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`)
