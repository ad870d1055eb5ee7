/**
 * The `clasp` command line as a user meets it: the bundled dist/clasp.js alone in an empty
 * directory, a router started with `clasp server`, and the one-shot commands against it.
 */
import { spawn } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type ServerProcess, bundledCli, run, startCliServer } from '../support/cli-process.ts'
import { waitFor } from '../support/wait.ts'

let cli: Awaited<ReturnType<typeof bundledCli>>
let server: ServerProcess
let url: string

beforeAll(async () => {
  cli = await bundledCli()
  server = await startCliServer(cli.js, ['--log-level', 'warn'], cli.dir)
  url = `ws://127.0.0.1:${server.port}`
}, 60_000)

afterAll(async () => {
  await server?.stop()
  cli?.cleanup()
})

describe('clasp.js on its own', () => {
  test('is one file within its size budget (< 2 MiB, bridges included)', () => {
    expect(statSync(cli.js).size).toBeLessThan(2 * 1024 * 1024)
  })

  test('--version, --help and per-command help', async () => {
    expect((await run(cli.js, ['--version'])).stdout).toMatch(/^clasp \d+\.\d+\.\d+ \(wire schema [0-9a-f]{16}\)/)
    expect((await run(cli.js, ['--help'])).stdout).toContain('server')
    const help = await run(cli.js, ['server', '--help'])
    expect(help.stdout).toContain('--tcp-port')
    expect(help.code).toBe(0)
    const bad = await run(cli.js, ['frobnicate'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe("clasp: unknown command 'frobnicate'. Run 'clasp --help'.")
  })

  test('the server answers HTTP probes and /health', async () => {
    const health = await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()
    expect(health).toMatchObject({ status: 'ok', name: 'CLASP Router' })
    expect(await (await fetch(`http://127.0.0.1:${server.port}/`)).text()).toBe('ok\n')
  })
})

describe('client commands', () => {
  test('set then get, with typed values', async () => {
    const set = await run(cli.js, ['set', '/cli/level', '0.5', '--url', url])
    expect(set.stderr).toBe('')
    expect(set.stdout.trim()).toBe('/cli/level = 0.5 (revision 1)')
    expect((await run(cli.js, ['get', '/cli/level', '--url', url])).stdout.trim()).toBe('0.5')
    await run(cli.js, ['set', '/cli/count', '42', '--url', url])
    expect((await run(cli.js, ['get', '/cli/count', '--url', url, '--json'])).stdout.trim()).toBe('{"address":"/cli/count","value":42}')
    await run(cli.js, ['set', '/cli/name', 'front of house', '--url', url])
    expect((await run(cli.js, ['get', '/cli/name', '--url', url])).stdout.trim()).toBe('"front of house"')
  })

  test('sub prints live values, one per line; pub sends events', async () => {
    const sub = spawn(process.execPath, [cli.js, 'sub', '/live/**', '--json', '--url', url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    sub.stdout.on('data', (d) => (out += d))
    try {
      await new Promise((r) => setTimeout(r, 500))
      await run(cli.js, ['set', '/live/a', '1.5', '--url', url])
      await run(cli.js, ['pub', '/live/go', 'now', '--url', url])
      const lines = await waitFor(() => {
        const ls = out.trim().split('\n').filter(Boolean)
        return ls.length >= 2 ? ls : undefined
      }, 5000, 'sub output')
      expect(JSON.parse(lines[0])).toMatchObject({ address: '/live/a', value: 1.5, revision: 1 })
      expect(JSON.parse(lines[1])).toMatchObject({ address: '/live/go', value: 'now', signal: 'event' })
    } finally {
      sub.kill('SIGINT')
    }
  })

  test('an unreachable router is one clear line', async () => {
    const r = await run(cli.js, ['get', '/x', '--url', 'ws://127.0.0.1:1', '--timeout', '2'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/clasp get: .*(connect|refused)/i)
  })

  test('a bad value type is a usage error', async () => {
    const r = await run(cli.js, ['set', '/x', 'abc', '--type', 'int', '--url', url])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe("clasp set: 'abc' is not an integer")
  })
})

describe('server errors and shutdown', () => {
  test('a port in use is one line naming the port', async () => {
    const r = await run(cli.js, ['server', '--host', '127.0.0.1', '--port', String(server.port), '--tcp-port', '0'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toMatch(new RegExp(`clasp server: WebSocket port ${server.port} on 127.0.0.1 is already in use`))
  })

  test('a bad config file names the offending path', async () => {
    const bad = join(cli.dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ router: { maxSessions: 'many' }, colour: 'blue' }))
    const r = await run(cli.js, ['server', '--config', bad])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('invalid config in')
    expect(r.stderr).toMatch(/router\.maxSessions|colour/)
    const yaml = join(cli.dir, 'bad.yaml')
    writeFileSync(yaml, 'router: [unclosed')
    expect((await run(cli.js, ['server', '--config', yaml])).stderr).toContain('is not valid YAML')
  })

  test('a YAML config is applied', async () => {
    const cfg = join(cli.dir, 'ok.yaml')
    writeFileSync(cfg, 'name: Stage Left\nrouter:\n  maxSessions: 5\n')
    const s = await startCliServer(cli.js, ['--config', cfg, '--log-level', 'warn'], cli.dir)
    try {
      expect(await (await fetch(`http://127.0.0.1:${s.port}/health`)).json()).toMatchObject({ name: 'Stage Left' })
    } finally {
      await s.stop()
    }
  })

  test('SIGINT and SIGTERM shut down cleanly', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const s = await startCliServer(cli.js, ['--log-level', 'warn'], cli.dir)
      expect(await s.stop(signal)).toBe(0)
      expect(s.output()).toContain(`${signal} received, shutting down`)
    }
  })
})
