/**
 * `clasp set | get | sub | pub`: one-shot client commands against a running router.
 * An unreachable router is one line: "cannot connect to ws://…: connection refused".
 */
import { connect } from '../../client/index.ts'
import { type FlagSpec, type Parsed, UsageError } from '../args.ts'
import { type ValueType, formatValue, parseValue, toJsonable } from '../values.ts'

const common: FlagSpec[] = [
  { name: 'url', alias: '-u', value: true, help: 'router URL, ws://HOST:PORT or tcp://HOST:PORT (default ws://127.0.0.1:7330, or $CLASP_URL)' },
  { name: 'timeout', value: true, help: 'seconds to wait for the router (default 5)' },
  { name: 'help', alias: '-h', help: 'this help' },
]
const typeFlag: FlagSpec = { name: 'type', alias: '-t', value: true, help: 'value type: auto | int | float | string | bool | json (default auto: 42 int, 0.5 float, true, null, JSON, else string)' }
const jsonFlag: FlagSpec = { name: 'json', help: 'print one JSON object per line with address, value, revision, writer' }

function urlOf(p: Parsed): string {
  return p.flags.get('url')?.[0] ?? process.env.CLASP_URL ?? 'ws://127.0.0.1:7330'
}

function timeoutMs(p: Parsed): number {
  const s = Number(p.flags.get('timeout')?.[0] ?? 5)
  if (!(s > 0)) throw new UsageError('--timeout must be a positive number of seconds')
  return s * 1000
}

function valueArg(p: Parsed, at: number, required: boolean) {
  const text = p.positionals[at]
  if (text === undefined) {
    if (required) throw new UsageError('a VALUE is required')
    return undefined
  }
  return parseValue(text, (p.flags.get('type')?.[0] ?? 'auto') as ValueType)
}

function addressArg(p: Parsed, what = 'ADDRESS'): string {
  const a = p.positionals[0]
  if (!a) throw new UsageError(`${what} is required`)
  if (!a.startsWith('/')) throw new UsageError(`${what} must start with '/', got '${a}'`)
  return a
}

class ConnectError extends Error {
  override name = 'ConnectError'
}

async function open(p: Parsed, name: string) {
  const url = urlOf(p)
  try {
    return await connect(url, { name, timeoutMs: timeoutMs(p), reconnect: false })
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ECONNREFUSED' || /failed|refused/i.test((e as Error).message) ? 'connection refused or no router there' : (e as Error).message
    throw new ConnectError(`cannot connect to ${url}: ${reason}`)
  }
}

async function runSet(p: Parsed): Promise<number> {
  const address = addressArg(p)
  const value = valueArg(p, 1, true)
  const client = await open(p, 'clasp-cli set')
  try {
    const revision = await client.set(address, value ?? null)
    console.log(`${address} = ${formatValue(value)} (revision ${revision})`)
    return 0
  } finally {
    client.close()
  }
}

async function runGet(p: Parsed): Promise<number> {
  const address = addressArg(p)
  const client = await open(p, 'clasp-cli get')
  try {
    const value = await client.get(address)
    console.log(p.flags.has('json') ? JSON.stringify({ address, value: toJsonable(value) }) : formatValue(value))
    return 0
  } finally {
    client.close()
  }
}

async function runSub(p: Parsed): Promise<number> {
  const pattern = addressArg(p, 'PATTERN')
  const client = await open(p, 'clasp-cli sub')
  const json = p.flags.has('json')
  client.on(pattern, (value, address, meta) => {
    if (json) console.log(JSON.stringify(toJsonable({ address, value, ...(meta ?? {}) })))
    else console.log(`${address} ${formatValue(value)}`)
  })
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
    client.onDisconnect?.(() => resolve())
  })
  client.close()
  return 0
}

async function runPub(p: Parsed): Promise<number> {
  const address = addressArg(p)
  const value = valueArg(p, 1, false)
  const client = await open(p, 'clasp-cli pub')
  try {
    client.emit(address, value)
    await client.flush?.()
    return 0
  } finally {
    client.close()
  }
}

export const clientCommands = {
  set: { usage: 'clasp set ADDRESS VALUE [options]', summary: 'Write a param and wait for the ACK; prints the new revision.', flags: [typeFlag, ...common], run: runSet },
  get: { usage: 'clasp get ADDRESS [options]', summary: 'Print the current value of a param.', flags: [jsonFlag, ...common], run: runGet },
  sub: { usage: 'clasp sub PATTERN [options]', summary: 'Print live values matching PATTERN (* one segment, ** any depth) until interrupted.', flags: [jsonFlag, ...common], run: runSub },
  pub: { usage: 'clasp pub ADDRESS [VALUE] [options]', summary: 'Send an event to subscribers of ADDRESS.', flags: [typeFlag, ...common], run: runPub },
}
