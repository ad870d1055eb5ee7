/**
 * `npm run bench:startup`: size of dist/clasp.js (raw and gzipped) and the time from
 * `node clasp.js server` to its "listening" line, median of several cold starts.
 */
import { spawn } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = fileURLToPath(new URL('..', import.meta.url))
const js = join(root, 'dist/clasp.js')
const RUNS = 9

function startOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const p = spawn(process.execPath, [js, 'server', '--host', '127.0.0.1', '--port', '0', '--tcp-port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    p.stdout.on('data', (d) => {
      out += d
      if (/listening on/.test(out)) {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6
        p.kill('SIGTERM')
        resolve(ms)
      }
    })
    p.on('exit', (code) => (code && !out ? reject(new Error(`server exited with ${code}`)) : undefined))
  })
}

const times: number[] = []
for (let i = 0; i < RUNS; i++) times.push(await startOnce())
times.sort((a, b) => a - b)
const raw = statSync(js).size
const gz = gzipSync(readFileSync(js)).length
console.log(`dist/clasp.js: ${(raw / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzipped`)
console.log(`start-up to listening: median ${times[RUNS >> 1].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[RUNS - 1].toFixed(0)}) over ${RUNS} runs, Node ${process.version}`)
