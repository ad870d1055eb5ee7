/**
 * Run the bundled CLI (dist/clasp.js, copied alone into an empty directory, as a user would) and
 * talk to it: start a server on a free port, run one-shot commands, collect output.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from './wait.ts'

export const root = fileURLToPath(new URL('../..', import.meta.url))

/** Build dist/clasp.js and copy it into a fresh empty directory. */
export async function bundledCli(): Promise<{ dir: string; js: string; cleanup: () => void }> {
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', join(root, 'runtime/build.ts')], { cwd: root }, (e) => (e ? reject(e) : resolve())),
  )
  const dir = mkdtempSync(join(tmpdir(), 'clasp-cli-'))
  copyFileSync(join(root, 'dist/clasp.js'), join(dir, 'clasp.js'))
  return { dir, js: join(dir, 'clasp.js'), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

export function run(js: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [js, ...args], { cwd: opts.cwd, timeout: opts.timeoutMs ?? 15_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, stdout, stderr })
    })
  })
}

export interface ServerProcess {
  proc: ChildProcess
  port: number
  output: () => string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export async function startCliServer(js: string, args: string[], cwd: string): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [js, 'server', '--host', '127.0.0.1', '--port', '0', '--tcp-port', '0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  const port = await waitFor(() => {
    const m = /WebSocket server listening on [^:]+:(\d+)/.exec(out)
    return m ? Number(m[1]) : undefined
  }, 10_000, `server start (output so far: ${out})`)
  return {
    proc,
    port,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode)
        proc.once('exit', (code) => resolve(code))
        proc.kill(signal)
      }),
  }
}
