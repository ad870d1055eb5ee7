/** `connect()` over a given transport factory; the entries (index.ts, browser.ts) pick the factory. */
import { ClaspClient, type ClientOptions } from './client.ts'
import type { TransportFactory } from './transport.ts'

export async function connectWith(factory: TransportFactory, url: string, options: ClientOptions = {}): Promise<ClaspClient> {
  const client = new ClaspClient(url, options, factory)
  await client.open()
  return client
}
