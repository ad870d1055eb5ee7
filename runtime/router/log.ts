/**
 * Levelled, structured logging. The CLI provides a JSON or pretty logger; the core only calls
 * these four methods, so tests stay quiet and embedders can plug in their own.
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 }

/** A logger writing one line per entry to stderr, as JSON or human-readable text. */
export function streamLogger(level: LogLevel, format: 'json' | 'pretty', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (rank[lvl] < rank[level]) return
    const time = new Date().toISOString()
    if (format === 'json') write(JSON.stringify({ time, level: lvl, msg, ...fields }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
    else write(`${time} ${lvl.toUpperCase().padEnd(5)} ${msg}${Object.keys(fields).length ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${String(v)}`).join(' ') : ''}`)
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}
