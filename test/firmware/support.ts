/**
 * Shared by the firmware tests: toolchain checks that skip with the Debian package names (or
 * fail under CLASP_REQUIRE_PEERS=1), a real router with WebSocket and TCP listeners on
 * 127.0.0.1, and cleanup that always runs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Router } from '../../runtime/router/router.ts'
import type { RouterConfig } from '../../runtime/router/config.ts'
import { listenTcp } from '../../runtime/transports/tcp.ts'
import { type Listener, listenWebSocket } from '../../runtime/transports/websocket.ts'
import { PACKAGES, type Target, hasSocat, missingToolchain } from '../../firmware-sim/harness.ts'

export const REQUIRE_PEERS = process.env.CLASP_REQUIRE_PEERS === '1'

/**
 * Why this suite cannot run here (undefined when it can). Under CLASP_REQUIRE_PEERS=1 a missing
 * tool throws instead, so CI that installed everything cannot silently skip.
 */
export function unavailable(suite: string, needs: Array<Target | 'socat' | 'serialport'>): string | undefined {
  const why: string[] = []
  for (const n of needs) {
    if (n === 'socat') {
      if (!hasSocat()) why.push(`socat not found: install the Debian package ${PACKAGES.socat}`)
    } else if (n === 'serialport') {
      try {
        createRequire(import.meta.url).resolve('serialport')
      } catch {
        why.push("the optional npm package 'serialport' is not installed")
      }
    } else {
      const m = missingToolchain(n)
      if (m) why.push(m)
    }
  }
  if (!why.length) return undefined
  const msg = `${suite}: ${why.join('; ')}`
  if (REQUIRE_PEERS) throw new Error(`${msg} (CLASP_REQUIRE_PEERS=1)`)
  console.warn(`[firmware] skipping ${msg}`)
  return msg
}

export class Cleanup {
  private readonly steps: Array<() => unknown> = []
  add(step: () => unknown): void {
    this.steps.push(step)
  }
  async run(): Promise<void> {
    for (const s of this.steps.splice(0).reverse()) {
      try {
        await s()
      } catch (e) {
        console.error('[firmware] cleanup step failed', e)
      }
    }
  }
}

export interface Rig {
  router: Router
  ws: Listener
  tcp: Listener
  dir: string
  url: string
}

export async function startRig(cleanup: Cleanup, config: Partial<RouterConfig> = {}): Promise<Rig> {
  const router = new Router({ config })
  cleanup.add(() => router.close())
  const ws = await listenWebSocket(router, { port: 0, host: '127.0.0.1' })
  cleanup.add(() => ws.close())
  const tcp = await listenTcp(router, { port: 0, host: '127.0.0.1' })
  cleanup.add(() => tcp.close())
  const dir = mkdtempSync(join(tmpdir(), 'clasp-fw-'))
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }))
  return { router, ws, tcp, dir, url: `ws://127.0.0.1:${ws.port}` }
}

/** Router sessions whose HELLO carried `name`. */
export function sessionsNamed(router: Router, name: string) {
  return [...router.sessions.values()].filter((s) => s.name === name)
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
