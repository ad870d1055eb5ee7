/**
 * A small argument parser: `--flag value`, `--flag=value`, `-x value`, repeatable flags and
 * positionals. Unknown flags are an error naming the flag, never silently ignored.
 */
export interface FlagSpec {
  /** Long name without dashes, e.g. `tcp-port`. */
  name: string
  alias?: string
  /** Takes a value (otherwise a boolean switch). */
  value?: boolean
  repeat?: boolean
  help: string
}

export interface Parsed {
  flags: Map<string, string[]>
  positionals: string[]
}

export class UsageError extends Error {
  override name = 'UsageError'
}

export function parseArgs(argv: string[], specs: FlagSpec[]): Parsed {
  const flags = new Map<string, string[]>()
  const positionals: string[] = []
  const byName = new Map<string, FlagSpec>()
  for (const s of specs) {
    byName.set(`--${s.name}`, s)
    if (s.alias) byName.set(s.alias, s)
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg)
      continue
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    const eq = arg.indexOf('=')
    const key = eq > 0 ? arg.slice(0, eq) : arg
    const spec = byName.get(key)
    if (!spec) {
      // A negative number is a positional value (e.g. `clasp set /x -1`).
      if (/^-\d/.test(arg)) {
        positionals.push(arg)
        continue
      }
      throw new UsageError(`unknown option ${key}`)
    }
    let value = 'true'
    if (spec.value) {
      if (eq > 0) value = arg.slice(eq + 1)
      else if (i + 1 < argv.length) value = argv[++i]
      else throw new UsageError(`option --${spec.name} needs a value`)
    }
    const list = flags.get(spec.name) ?? []
    if (!spec.repeat && list.length > 0) throw new UsageError(`option --${spec.name} given twice`)
    list.push(value)
    flags.set(spec.name, list)
  }
  return { flags, positionals }
}

export function intFlag(p: Parsed, name: string, min = 0, max = 65535): number | undefined {
  const v = p.flags.get(name)?.[0]
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${v}'`)
  return n
}

export function helpFor(usage: string, summary: string, specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `${s.alias ? `${s.alias}, ` : '    '}--${s.name}${s.value ? ' <value>' : ''}`
    return `  ${left.padEnd(30)} ${s.help}`
  })
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.join('\n')}\n`
}
