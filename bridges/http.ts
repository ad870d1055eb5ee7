/**
 * The documented `/v1` REST API over real router state (bridges.md §7, deliberate difference 15),
 * on `node:http`. Paths are relative to the namespace (default `/`, the whole tree), the same for
 * reads and writes. Bodies and replies are lossless JSON (json-value.ts): `1.0` stays a float.
 *
 * | request                              | effect                        | reply                                   |
 * |--------------------------------------|-------------------------------|-----------------------------------------|
 * | GET    /v1/state/{path}              | read (from the mirror)        | 200 {address,value,revision,timestamp}, 404 |
 * | PUT    /v1/state/{path} {value[,revision]} | SET (If-Match: revision too) | 200 {address,value,revision}, 409, 423 |
 * | DELETE /v1/state/{path}              | SET null (CLASP has no delete) | 200 {address,status:"deleted",revision} |
 * | POST   /v1/emit/{path} {value}       | event, not stored             | 200 {address,status:"emitted"}          |
 * | GET    /v1/snapshot[/{prefix}]       | params under prefix           | 200 {"/path": value, ...}               |
 * | GET    /v1/stream[/{pattern}]        | SSE: `value`/`event` messages | text/event-stream                       |
 * | GET    /v1/health                    |                               | 200 {status:"ok",...}                   |
 * `/api/{path}` is kept as an alias (GET/PUT/POST/DELETE; a PUT body without `value` is the value).
 *
 * Limits: Bearer token (401; `?token=` for EventSource), CORS origin list, body size (413).
 * Bad JSON is 400 and counted as malformed; nothing malformed reaches the router.
 */
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES, createServer } from 'node:http'
import type { Duplex } from 'node:stream'
import type { ClaspValue } from '../generated/types.ts'
import { ClaspError } from '../runtime/client/index.ts'
import { ClaspEncodeError } from '../runtime/codec/errors.ts'
import { boundPort, type Bridge, type BridgeContext, type BridgeOptions, type BridgeStats, countError, countMalformed, emptyStats, listenOn } from './bridge.ts'
import { ClientHub, type HubUpdate } from './hub.ts'
import { JsonValueError, parseJsonValue, toJsonText } from './json-value.ts'

/** Options of the HTTP bridge (registry kind `http`). */
export interface HttpBridgeOptions extends BridgeOptions {
  /** Address to listen on (default 0.0.0.0). */
  host?: string
  /** TCP port (default 8080; 0 = any free port). */
  port?: number
  /** Require `Authorization: Bearer <token>` (or `?token=`). */
  token?: string
  /** Origins allowed by CORS; `*` allows any (default none). */
  cors?: string[]
  /** Larger request bodies get 413 (default 65536). */
  maxBodyBytes?: number
  /** SSE keep-alive comment interval, ms (default 15000). */
  keepAliveMs?: number
  /** An SSE stream with more than this many bytes queued is closed as too slow (default 4 MiB). */
  maxBufferedBytes?: number
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** A reply body: a null-prototype map so `toJsonText` writes it as an object. */
function body(fields: Record<string, ClaspValue | undefined>): ClaspValue {
  const out: Record<string, ClaspValue> = Object.create(null)
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v
  return out
}

/** Router refusal or client failure → HTTP status. */
function statusOf(e: unknown): number {
  // A value or revision the wire cannot carry is the request's fault, like an oversized body.
  if (e instanceof ClaspEncodeError) return e.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400
  if (!(e instanceof ClaspError)) return 500
  if (e.kind === 'router') {
    if (/RevisionConflict|ConflictRejected/.test(e.message)) return 409
    if (/LockHeld/.test(e.message)) return 423
    return e.code === 429 ? 429 : e.code >= 300 && e.code < 400 ? 403 : 400
  }
  return e.kind === 'timeout' ? 504 : 503
}

type SseClient = ServerResponse

/** The `/v1` REST API and SSE on one `node:http` server; see the file comment for routes. */
export class HttpBridge implements Bridge {
  readonly kind = 'http'
  readonly namespace: string
  private readonly counters = emptyStats()
  private readonly hub: ClientHub<SseClient>
  private readonly streams = new Set<SseClient>()
  private server: Server | undefined
  private ctx: BridgeContext | undefined
  private keepAlive: ReturnType<typeof setInterval> | undefined

  constructor(readonly options: HttpBridgeOptions) {
    this.namespace = options.namespace
    this.hub = new ClientHub(options.namespace, options.transforms, this.counters, (res, u) => this.sendSse(res, u))
  }

  /** The bound TCP port (useful when 0 was asked for). */
  get port(): number {
    return boundPort(this.server)
  }

  async start(ctx: BridgeContext): Promise<void> {
    this.ctx = ctx
    await this.hub.start(ctx.clasp)
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        this.counters.errors++
        ctx.log.error('HTTP handler failed', { error: String((e as Error).stack ?? e) })
        if (!res.headersSent) this.reply(req, res, 500, body({ error: 'internal error' }))
        else res.destroy()
      })
    })
    server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }) => {
      // A reset is the peer going away, not bad input. Otherwise reply as Node's own default
      // handler would (400; 431 for oversized headers; 408), unless a response already started.
      if (e.code === 'ECONNRESET') return void socket.destroy()
      countMalformed(this.counters, ctx.log, 'malformed HTTP request', { error: e.message })
      if (!socket.writable || socket.bytesWritten !== 0) return void socket.destroy()
      const status = e.code === 'HPE_HEADER_OVERFLOW' ? 431 : e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy())
    })
    const host = this.options.host ?? '0.0.0.0'
    try {
      await listenOn(server, this.options.port ?? 8080, host)
    } catch (e) {
      this.hub.stop() // no subscription left behind by a start that failed
      throw e
    }
    this.server = server
    this.keepAlive = setInterval(() => {
      for (const s of this.streams) s.write(': keep-alive\n\n')
    }, this.options.keepAliveMs ?? 15_000)
    ctx.log.info(`HTTP bridge listening on http://${host}:${this.port}/v1`, { namespace: this.namespace })
  }

  async stop(): Promise<void> {
    this.hub.stop()
    if (this.keepAlive) clearInterval(this.keepAlive)
    for (const s of this.streams) s.end()
    this.streams.clear()
    const server = this.server
    this.server = undefined
    if (server) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  stats(): BridgeStats {
    return { ...this.counters }
  }

  // ---- request handling ------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const cors = this.corsHeaders(req)
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, Object.keys(cors).length ? {
        'Access-Control-Allow-Methods': 'GET, PUT, POST, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-Match, Last-Event-ID',
        'Access-Control-Max-Age': '600',
      } : {})
      res.end()
      return
    }
    const token = this.options.token
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}` && url.searchParams.get('token') !== token) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      req.resume()
      this.reply(req, res, 401, body({ error: 'missing or wrong bearer token' }))
      return
    }
    try {
      await this.route(req, res, url)
    } catch (e) {
      if (!(e instanceof HttpError)) throw e
      if (e.status === 400 || e.status === 413) countMalformed(this.counters, this.ctx!.log, `HTTP ${e.status}: ${e.message}`, { method: req.method, path: url.pathname })
      if (e.status === 413) res.setHeader('Connection', 'close')
      this.reply(req, res, e.status, body({ error: e.message }))
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const p = url.pathname
    const m = req.method ?? 'GET'
    const rest = (prefix: string) => decodePath(p.slice(prefix.length))
    const read = m === 'GET' || m === 'HEAD' // HTTP/1.1: HEAD wherever GET
    // A known resource asked with a method it does not take: 405 with the ones it does.
    const notAllowed = (allow: string): never => {
      req.resume()
      res.setHeader('Allow', allow)
      throw new HttpError(405, `${m} not allowed on ${p} (allowed: ${allow})`)
    }
    if (p === '/v1/health' || p === '/api/health') {
      if (!read) return notAllowed('GET, HEAD')
      req.resume()
      return this.reply(req, res, 200, body({ status: 'ok', protocol: 'CLASP', namespace: this.namespace }))
    }
    if (p.startsWith('/v1/state/')) {
      if (read) return this.getState(req, res, rest('/v1/state'))
      if (m === 'PUT') return this.putState(req, res, rest('/v1/state'), false)
      if (m === 'DELETE') return this.deleteState(req, res, rest('/v1/state'))
      return notAllowed('GET, HEAD, PUT, DELETE')
    }
    if (p.startsWith('/v1/emit/')) return m === 'POST' ? this.emit(req, res, rest('/v1/emit'), false) : notAllowed('POST')
    if (p === '/v1/snapshot' || p.startsWith('/v1/snapshot/')) return read ? this.snapshot(req, res, rest('/v1/snapshot')) : notAllowed('GET, HEAD')
    if (p === '/v1/stream' || p.startsWith('/v1/stream/')) return read ? this.stream(req, res, url.searchParams.get('pattern') ?? (rest('/v1/stream') || '/**')) : notAllowed('GET, HEAD')
    if (p.startsWith('/api/') && p !== '/api/') {
      const path = rest('/api')
      if (read) return this.getState(req, res, path)
      if (m === 'PUT') return this.putState(req, res, path, true)
      if (m === 'POST') return this.emit(req, res, path, true)
      if (m === 'DELETE') return this.deleteState(req, res, path)
      return notAllowed('GET, HEAD, PUT, POST, DELETE')
    }
    req.resume()
    throw new HttpError(404, `no route for ${m} ${p}`)
  }

  private getState(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.resume()
    const entry = this.hub.get(this.checkPath(path))
    if (!entry) throw new HttpError(404, `no value at ${path}`)
    if (entry.revision !== undefined) res.setHeader('ETag', `"${entry.revision}"`)
    this.reply(req, res, 200, body({ address: entry.address, value: entry.value, revision: entry.revision, timestamp: entry.timestamp }))
  }

  private async putState(req: IncomingMessage, res: ServerResponse, path: string, lenient: boolean): Promise<void> {
    this.checkPath(path)
    const json = await this.readJson(req)
    const hasValue = isMap(json) && 'value' in json
    if (!hasValue && !lenient) throw new HttpError(400, 'body must be {"value": ...}')
    const value = hasValue ? (json as Record<string, ClaspValue>).value : json
    const revision = this.expectedRevision(req, hasValue ? (json as Record<string, ClaspValue>).revision : undefined)
    const rev = await this.write(() => this.hub.set(undefined, path, value, revision === undefined ? undefined : { revision }))
    res.setHeader('ETag', `"${rev}"`)
    this.reply(req, res, 200, body({ address: path, value, revision: rev }))
  }

  private async deleteState(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    req.resume()
    this.checkPath(path)
    // CLASP has no delete: DELETE writes null. An address that holds nothing stays that way (404, as the reference).
    if (!this.hub.get(path)) throw new HttpError(404, `no value at ${path}`)
    const revision = this.expectedRevision(req, undefined)
    const rev = await this.write(() => this.hub.set(undefined, path, null, revision === undefined ? undefined : { revision }))
    this.reply(req, res, 200, body({ address: path, status: 'deleted', revision: rev }))
  }

  /** `lenient` (the `/api` alias): a body without `value` is the value. An empty body is a null event. */
  private async emit(req: IncomingMessage, res: ServerResponse, path: string, lenient: boolean): Promise<void> {
    this.checkPath(path)
    const json = await this.readJson(req, true)
    const hasValue = isMap(json) && 'value' in json
    if (!hasValue && !lenient && json !== null) throw new HttpError(400, 'body must be {"value": ...} (or empty, for a null event)')
    const value = hasValue ? (json as Record<string, ClaspValue>).value : json
    const error = this.hub.emit(undefined, path, value)
    if (error) throw new HttpError(error === 'not connected to the router' ? 503 : 413, error)
    this.reply(req, res, 200, body({ address: path, status: 'emitted' }))
  }

  private snapshot(req: IncomingMessage, res: ServerResponse, prefix: string): void {
    req.resume()
    const pattern = prefix === '' || prefix === '/' ? '/**' : `${prefix.replace(/\/$/, '')}/**`
    if (ClientHub.patternError(pattern)) throw new HttpError(400, `bad prefix ${prefix}`)
    const out: Record<string, ClaspValue> = Object.create(null)
    for (const e of this.hub.snapshot(pattern)) out[e.address] = e.value
    this.reply(req, res, 200, out)
  }

  /** Server-sent events: current values first, then every change and event matching `pattern`. */
  private stream(req: IncomingMessage, res: ServerResponse, pattern: string): void {
    req.resume()
    const error = ClientHub.patternError(pattern)
    if (error) throw new HttpError(400, `bad pattern ${pattern}: ${error}`)
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    if (req.method === 'HEAD') return void res.end()
    res.write('retry: 2000\n\n')
    for (const e of this.hub.snapshot(pattern)) this.sendSse(res, { kind: 'param', address: e.address, value: e.value, revision: e.revision })
    this.streams.add(res)
    this.hub.subscribe(res, pattern)
    const close = () => {
      this.streams.delete(res)
      this.hub.drop(res)
    }
    // Not req 'close': a request emits it as soon as its (empty) body has been read.
    res.on('close', close)
  }

  private sendSse(res: SseClient, u: HubUpdate): void {
    if (res.destroyed) return
    // A stream nobody reads must not grow without bound: past the limit it is closed, and an
    // EventSource reconnects and starts again from the current values.
    if (res.writableLength > (this.options.maxBufferedBytes ?? 4 * 1024 * 1024)) {
      countError(this.counters, this.ctx!.log, 'SSE client too slow, closing its stream', { queued: res.writableLength })
      res.destroy()
      return
    }
    const data = u.kind === 'param' ? body({ address: u.address, value: u.value, revision: u.revision }) : body({ address: u.address, value: u.value })
    res.write(`event: ${u.kind === 'param' ? 'value' : u.kind}\ndata: ${toJsonText(data)}\n\n`)
  }

  // ---- helpers ---------------------------------------------------------------------------

  private checkPath(path: string): string {
    if (this.hub.claspAddress(path) === undefined) throw new HttpError(400, `invalid address ${JSON.stringify(path)}`)
    return path
  }

  private async write(op: () => Promise<bigint>): Promise<bigint> {
    try {
      return await op()
    } catch (e) {
      const status = statusOf(e)
      if (status >= 500) this.counters.errors++
      throw new HttpError(status, (e as Error).message)
    }
  }

  private expectedRevision(req: IncomingMessage, fromBody: ClaspValue | undefined): bigint | undefined {
    if (typeof fromBody === 'bigint') return fromBody
    if (fromBody !== undefined && fromBody !== null) throw new HttpError(400, 'revision must be an integer')
    const ifMatch = req.headers['if-match']
    if (ifMatch === undefined) return undefined
    const m = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim())
    if (!m) throw new HttpError(400, 'If-Match must be a revision number')
    return BigInt(m[1])
  }

  /** Read the body (bounded) and parse it as lossless JSON; an empty body is null when `optional`. */
  private async readJson(req: IncomingMessage, optional = false): Promise<ClaspValue> {
    const max = this.options.maxBodyBytes ?? 65536
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > max) {
      req.resume()
      throw new HttpError(413, `body larger than ${max} bytes`)
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > max) {
        req.resume()
        throw new HttpError(413, `body larger than ${max} bytes`)
      }
      chunks.push(chunk)
    }
    const text = Buffer.concat(chunks).toString('utf8')
    if (text.trim() === '') {
      if (optional) return null
      throw new HttpError(400, 'empty body; expected JSON')
    }
    try {
      return parseJsonValue(text)
    } catch (e) {
      throw new HttpError(400, `bad JSON: ${e instanceof JsonValueError ? e.message : String(e)}`)
    }
  }

  private corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin
    const allowed = this.options.cors ?? []
    if (!origin || allowed.length === 0) return {}
    // ETag is not a CORS-safelisted response header: without this a page cannot read it for If-Match.
    if (allowed.includes('*')) return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'ETag' }
    return allowed.includes(origin) ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'ETag', Vary: 'Origin' } : {}
  }

  private reply(req: IncomingMessage, res: ServerResponse, status: number, value: ClaspValue): void {
    const text = `${toJsonText(value)}\n`
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(req.method === 'HEAD' ? undefined : text)
  }
}

function isMap(v: ClaspValue): v is Record<string, ClaspValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Map)
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'bad percent-encoding in path')
  }
}
