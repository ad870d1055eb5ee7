/**
 * CLASP client for browsers: ws:// and wss:// through the global WebSocket. No Node module is
 * reachable from this entry (build-browser.ts checks the bundle).
 */
import type { ClaspClient, ClientOptions } from './client.ts'
import { connectWith } from './connect.ts'
import { browserTransport } from './transport-browser.ts'

export * from './exports.ts'
export { browserTransport }

export function connect(url: string, options: ClientOptions = {}): Promise<ClaspClient> {
  return connectWith(browserTransport, url, options)
}
