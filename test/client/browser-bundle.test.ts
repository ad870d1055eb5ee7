/**
 * The browser bundle: built by runtime/client/build-browser.ts, free of Node imports, refused
 * when an entry reaches a Node built-in, and working when loaded as a plain ES module with only
 * a global WebSocket (here the `ws` package standing in for the browser's).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { buildBrowser } from '../../runtime/client/build-browser.ts'
import { ClientHarness } from '../support/client-harness.ts'
import { waitFor } from '../support/wait.ts'

const root = join(import.meta.dirname, '..', '..')
const bundle = join(root, 'dist/clasp-client.browser.js')
const h = new ClientHarness()
afterEach(() => h.cleanup())

describe('browser bundle', () => {
  test('the build script writes dist/clasp-client.browser.js without Node imports', () => {
    const run = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'runtime/client/build-browser.ts'], {
      cwd: root, encoding: 'utf8', timeout: 60_000,
    })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/clasp-client\.browser\.js: [\d.]+ KiB/)
    expect(existsSync(bundle)).toBe(true)
    const text = readFileSync(bundle, 'utf8')
    expect(text).not.toMatch(/require\(\s*["'](node:)?net["']\s*\)/)
    expect(text).not.toMatch(/["']node:/)
    expect(text).not.toMatch(/from\s*["']ws["']|require\(\s*["']ws["']\s*\)/)
    expect(text).toMatch(/export\s*\{[^}]*\bconnect\b/)
  })

  test('an entry that reaches a Node built-in fails the build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clasp-browser-'))
    try {
      const entry = join(dir, 'entry.ts')
      writeFileSync(entry, `export { openTcp } from ${JSON.stringify(join(root, 'runtime/client/transport-tcp.ts'))}\n`)
      await expect(buildBrowser({ entry, outfile: join(dir, 'out.js') })).rejects.toThrow(/must not import "node:net"/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the bundle connects with nothing but a global WebSocket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clasp-browser-'))
    const g = globalThis as { WebSocket?: unknown }
    const saved = g.WebSocket
    h.defer(() => {
      g.WebSocket = saved
      rmSync(dir, { recursive: true, force: true })
    })
    const { outfile } = await buildBrowser({ outfile: join(dir, 'clasp.js'), minify: true })
    g.WebSocket = WebSocket
    const mod = (await import(pathToFileURL(outfile).href)) as typeof import('../../runtime/client/browser.ts')
    const r = await h.router('ws')
    const a = await mod.connect(r.url, { name: 'browser-a' })
    const b = await mod.connect(r.url, { name: 'browser-b' })
    h.defer(() => a.close())
    h.defer(() => b.close())
    const got: unknown[] = []
    b.on('/page/**', (v) => got.push(v))
    await b.flush()
    expect(await a.set('/page/x', 1.5)).toBe(1n)
    await waitFor(() => got.length === 1, 2000, 'delivery through the bundle')
    expect(await b.get('/page/x')).toBe(1.5)
    await expect(mod.connect('tcp://127.0.0.1:1')).rejects.toThrow(/not available in browsers/)
  })
})
