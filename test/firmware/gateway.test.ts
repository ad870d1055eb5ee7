/**
 * The gateway deployment [embedded §5.3]: `clasp server --serial <pty>:115200` (the CLI run by
 * tsx, as `npm start` does) with a simulated SerialLedStrip on the other end of a socat pair.
 * A WebSocket client drives the strip through the CLI's router; then the pty is removed and
 * created again (the USB cable replugged): the CLI's serial transport reopens it, the board
 * notices through its keepalive, says HELLO again and follows the client once more.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { type ClaspClient, connect } from '../../runtime/client/index.ts'
import { buildSketch, startDevice, startPtyPair } from '../../firmware-sim/harness.ts'
import { waitFor } from '../support/wait.ts'
import { Cleanup, startRig, unavailable } from './support.ts'

const skip = unavailable('serial gateway test', ['host', 'socat', 'serialport'])

describe.skipIf(skip)('clasp server --serial as the gateway of a simulated board', () => {
  const cleanup = new Cleanup()
  afterAll(() => cleanup.run())

  test('drives the strip, and reattaches it after the pty is removed and recreated', async () => {
    const exe = buildSketch('SerialLedStrip').path
    const { dir } = await startRig(cleanup) // only for its temp dir; the router under test is the CLI's
    const routerTty = join(dir, 'ttyGateway')
    const deviceTty = join(dir, 'ttyBoard')
    let pair = await startPtyPair(routerTty, deviceTty)
    cleanup.add(() => pair.stop())

    const root = join(import.meta.dirname, '..', '..')
    const cli: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'runtime/cli/main.ts'), 'server', '--host', '127.0.0.1', '--port', '0', '--tcp-port', '0', '--serial', `${routerTty}:115200`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    cli.stdout!.on('data', (d) => (out += d))
    cli.stderr!.on('data', (d) => (out += d))
    const cliExit = new Promise((r) => cli.once('exit', r))
    cleanup.add(async () => {
      if (cli.exitCode === null) cli.kill('SIGTERM')
      await Promise.race([cliExit, new Promise((r) => setTimeout(r, 5000))])
      if (cli.exitCode === null) cli.kill('SIGKILL')
    })
    const port = await waitFor(() => Number(/WebSocket server listening on [^:]+:(\d+)/.exec(out)?.[1]) || undefined, 30_000, `the CLI to listen (output: ${out})`)
    await waitFor(() => out.includes(`serial device ${routerTty} at 115200 baud attached`), 10_000, `the serial attach line (output: ${out})`)

    const dev = await startDevice(exe, { serial: deviceTty }, 'SerialLedStrip')
    cleanup.add(() => dev.kill())
    const client: ClaspClient = await connect(`ws://127.0.0.1:${port}`, { name: 'gateway-test' })
    cleanup.add(() => client.close())
    const shows = (b: number, c: string) => dev.led()?.brightness === b && dev.led()?.pixels[0] === c

    // The board may still be in its first HELLO round when the client writes; the snapshot
    // it gets on subscribing covers that, so the wait below holds either way.
    await client.set('/lights/strip1/brightness', 0.5)
    await client.set('/lights/strip1/color', [0, 128, 255])
    await dev.until(() => shows(128, '0080ff'), 10_000, 'the strip to follow through the gateway')

    // Unplug: the pty disappears. Replug: the same path, a new pty.
    await pair.stop()
    await dev.until(() => dev.events.some((e) => e.kind === 'serial' && e.text.startsWith('lost')), 5000, 'the board to lose its serial port')
    await client.set('/lights/strip1/color', [255, 0, 64]) // changed while unplugged
    pair = await startPtyPair(routerTty, deviceTty)
    const t0 = Date.now()
    await dev.until(() => dev.events.filter((e) => e.kind === 'serial' && e.text.startsWith('open')).length >= 2, 5000, 'the board to reopen its port')
    await dev.until(() => shows(128, 'ff0040'), 15_000, 'the reattached strip to show the colour set while unplugged')
    console.info(`[firmware] gateway: the replugged board was back in step ${Date.now() - t0} ms after the pty came back`)
    await client.set('/lights/strip1/brightness', 1)
    await dev.until(() => shows(255, 'ff0040'), 5000, 'the strip to follow the client again')
    expect(out.match(/serial device open/g)?.length ?? 0).toBeGreaterThanOrEqual(2)
  }, 90_000)
})
