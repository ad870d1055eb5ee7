/**
 * `npm run build`: bundle the CLI and everything it needs into one file, dist/clasp.js, that
 * runs with nothing but Node (copy it to a Pi and `node clasp.js server`). Native modules stay
 * outside: serialport and the MIDI packages are loaded lazily, only when a serial device or a MIDI
 * port is asked for, and may be absent (they are optional dependencies).
 *
 * The bridge implementations and their dependencies (MQTT, aedes, Socket.IO, sACN, ...) are two
 * thirds of the file but unused by a plain router. They are bundled as a separate chunk embedded
 * in clasp.js as a string and compiled on the first bridge start, so a router without bridges
 * neither parses nor keeps them (idle RSS about 5 MiB lower, faster start). What the bridges
 * share with the core (the client, address matching, ws, typebox, ...) is handed to the chunk by
 * the core, so each of those modules still exists once.
 */
import { type Plugin, build } from 'esbuild'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outfile = join(root, 'dist/clasp.js')
const bridgesDir = join(root, 'bridges')
const implementations = join(bridgesDir, 'implementations.ts')

const native = ['serialport', '@serialport/*', 'midi', '@julusian/midi', 'bufferutil', 'utf-8-validate']
/** npm packages the core bundles anyway: the chunk takes the core's copy. */
const sharedPackages = new Set(['ws', 'typebox', 'typebox/value'])
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' } as const

/** Module ids the chunk asks the core for: files outside bridges/ (relative to the root) and shared packages. */
const hostModules = new Map<string, string>()

const chunkHostImports: Plugin = {
  name: 'bridge-chunk-host-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined
      if (sharedPackages.has(args.path)) {
        hostModules.set(args.path, args.path)
        return { path: `clasp-host:${args.path}`, external: true }
      }
      if (!args.path.startsWith('.') || !args.importer.startsWith(bridgesDir + '/')) return undefined
      const file = resolve(args.resolveDir, args.path)
      if (file.startsWith(bridgesDir + '/')) return undefined
      const id = relative(root, file)
      hostModules.set(id, file)
      return { path: `clasp-host:${id}`, external: true }
    })
  },
}

const chunk = await build({ ...common, entryPoints: [implementations], write: false, external: native, plugins: [chunkHostImports] })
const chunkCode = chunk.outputFiles[0].text

/** In the core, `import('./implementations.ts')` becomes: compile the embedded chunk, once. */
const embeddedChunk: Plugin = {
  name: 'embedded-bridge-chunk',
  setup(b) {
    b.onResolve({ filter: /implementations\.ts$/ }, (args) =>
      resolve(args.resolveDir, args.path) === implementations ? { path: implementations, namespace: 'bridge-chunk' } : undefined)
    b.onLoad({ filter: /.*/, namespace: 'bridge-chunk' }, () => {
      const host = [...hostModules].map(([id, target]) => `  ${JSON.stringify(`clasp-host:${id}`)}: () => require(${JSON.stringify(target)}),`).join('\n')
      return {
        resolveDir: bridgesDir,
        loader: 'js',
        contents: `const { runInThisContext } = require('node:vm')
const host = {
${host}
}
const code = ${JSON.stringify(chunkCode)}
const compiled = runInThisContext('(function (module, exports, require) {' + code + '\\n})', { filename: 'clasp.js (bridges)' })
const chunkRequire = (id) => (host[id] ? host[id]() : require(id))
compiled(module, module.exports, chunkRequire)
`,
      }
    })
  },
}

await build({
  ...common,
  entryPoints: [join(root, 'runtime/cli/main.ts')],
  outfile,
  sourcemap: false,
  banner: { js: '#!/usr/bin/env node' },
  external: native,
  plugins: [embeddedChunk],
})

// The project is ESM; this marker makes Node read the CommonJS bundle as such inside dist/.
// Copied on its own (no package.json around it), clasp.js is CommonJS by default.
writeFileSync(join(root, 'dist/package.json'), '{ "type": "commonjs" }\n')

const raw = statSync(outfile).size
const gz = gzipSync(readFileSync(outfile)).length
console.log(`dist/clasp.js: ${(raw / 1024).toFixed(0)} KiB (bridges chunk ${(chunkCode.length / 1024).toFixed(0)} KiB), ${(gz / 1024).toFixed(0)} KiB gzipped`)
