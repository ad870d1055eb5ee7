/**
 * A lock shared by every test process on this host, for resources that cannot be given a fresh
 * port per test: OLA's Art-Net plugin always binds UDP 6454, and unicast to 127.0.0.1:6454 reaches
 * only the socket bound last, so two test files running olad at once would steal each other's
 * packets. vitest runs files in parallel forks; this serialises just the holders of one name.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep } from './wait.ts'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Wait until `name` is free on this host and take it; the result releases it. */
export async function hostLock(name: string, timeoutMs = 120_000): Promise<() => void> {
  const dir = join(tmpdir(), `clasp-test-lock-${name}`)
  const owner = join(dir, 'pid')
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    try {
      mkdirSync(dir)
      writeFileSync(owner, String(process.pid))
      let released = false
      return () => {
        if (released) return
        released = true
        rmSync(dir, { recursive: true, force: true })
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    // A holder that died without releasing (a killed test run) must not block the next run.
    let pid = Number.NaN
    try {
      pid = Number(readFileSync(owner, 'utf8'))
    } catch {
      // the holder is between mkdir and writing its pid
    }
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(dir, { recursive: true, force: true })
    if (Date.now() > deadline) throw new Error(`host lock '${name}' still held by pid ${pid} after ${timeoutMs} ms`)
  }
}
