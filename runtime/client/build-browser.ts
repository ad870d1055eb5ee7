/**
 * Bundle the browser client: runtime/client/browser.ts → dist/clasp-client.browser.js (ESM,
 * platform browser). Fails if anything would pull in a Node built-in (`net`, `node:*`, ...) or
 * the Node-only `ws` package, so the page bundle can never carry Node imports.
 *
 *     npx tsx runtime/client/build-browser.ts [--outfile PATH] [--minify]
 */
import { build, type Plugin } from 'esbuild'
import { readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const defaultOutfile = join(root, 'dist/clasp-client.browser.js')

const NODE_ONLY = new Set([...builtinModules, 'ws', 'bufferutil', 'utf-8-validate'])

/** Refuse Node built-ins and Node-only packages at resolve time, naming the importer. */
const noNode: Plugin = {
  name: 'no-node-modules',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.split('/')[0]
      if (args.path.startsWith('node:') || NODE_ONLY.has(args.path) || NODE_ONLY.has(bare)) {
        return { errors: [{ text: `browser bundle must not import "${args.path}" (from ${relative(root, args.importer)})` }] }
      }
      return undefined
    })
  },
}

/** Patterns that must never appear in the output. */
const FORBIDDEN = [/require\(\s*["'](?:node:)?net["']\s*\)/, /\bfrom\s*["']node:/, /import\(\s*["']node:/, /require\(\s*["']node:/, /require\(\s*["']ws["']\s*\)/]

export async function buildBrowser(options: { outfile?: string; minify?: boolean; entry?: string } = {}): Promise<{ outfile: string; bytes: number }> {
  const outfile = resolve(options.outfile ?? defaultOutfile)
  await build({
    entryPoints: [options.entry ?? join(root, 'runtime/client/browser.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? false,
    sourcemap: false,
    legalComments: 'none',
    plugins: [noNode],
    logLevel: 'silent',
  })
  const text = readFileSync(outfile, 'utf8')
  const bad = FORBIDDEN.find((re) => re.test(text))
  if (bad) throw new Error(`${outfile} contains a Node import (${bad})`)
  return { outfile, bytes: statSync(outfile).size }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const at = args.indexOf('--outfile')
  try {
    const { outfile, bytes } = await buildBrowser({ outfile: at >= 0 ? args[at + 1] : undefined, minify: args.includes('--minify') })
    console.log(`${relative(process.cwd(), outfile)}: ${(bytes / 1024).toFixed(1)} KiB`)
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors
    console.error(errors?.length ? errors.map((x) => x.text).join('\n') : (e as Error).message)
    process.exit(1)
  }
}
