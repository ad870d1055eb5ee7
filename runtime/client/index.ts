/**
 * CLASP client for Node (and bundlers that target Node): ws://, wss:// (the `ws` package) and
 * tcp://host:port (length-prefixed frames over `node:net`), both loaded on first use.
 *
 *     const client = await connect('ws://127.0.0.1:7330', { name: 'my app' })
 *     const off = client.on('/mixer/**', (value, address, meta) => { ... })
 *     const revision = await client.set('/mixer/fader1', 0.75)
 *
 * Browsers use `runtime/client/browser.ts` (bundled to dist/clasp-client.browser.js).
 */
import type { ClaspClient, ClientOptions } from './client.ts'
import { connectWith } from './connect.ts'
import { nodeTransport } from './transport-node.ts'

export * from './exports.ts'
export { nodeTransport }

export function connect(url: string, options: ClientOptions = {}): Promise<ClaspClient> {
  return connectWith(nodeTransport, url, options)
}
