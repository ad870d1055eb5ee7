/**
 * The `clasp` command line: `server` runs a router; `set`, `get`, `sub` and `pub` talk to one;
 * `osc`, `mqtt`, `http`, ... run one bridge each (a command per entry of bridges/registry.ts).
 * Errors are one line on stderr and a non-zero exit code, never a stack trace.
 */
import { SCHEMA_HASH } from '../../generated/types.ts'
import { type FlagSpec, UsageError, helpFor, parseArgs } from './args.ts'
import { bridgeCommands, bridgeHelp } from './commands/bridge.ts'
import { clientCommands } from './commands/client.ts'
import { runServer, serverFlags } from './commands/server.ts'
import { ConfigError } from './config.ts'

const VERSION = '0.1.0'

const HELP = `clasp ${VERSION} — CLASP router, client and tools

Usage: clasp <command> [options]

Commands:
  server                 run a router (WebSocket 7330, TCP 7332, optional UDP, serial, bridges)
  set ADDRESS VALUE      write a param and wait for the router's ACK
  get ADDRESS            print a param's current value
  sub PATTERN            print live values matching PATTERN, one per line
  pub ADDRESS [VALUE]    send an event

Bridges (each its own process, connected to a router with --url):
${bridgeHelp()}

Run 'clasp <command> --help' for the options of a command.
Other: clasp --version, clasp --help
`

interface Command {
  usage: string
  summary: string
  flags: FlagSpec[]
  run: (p: ReturnType<typeof parseArgs>) => Promise<number>
}

const commands: Record<string, Command> = {
  server: { usage: 'clasp server [options]', summary: 'Run a CLASP router until SIGINT or SIGTERM.', flags: serverFlags, run: runServer },
  ...clientCommands,
  ...bridgeCommands(),
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--version' || name === '-V') {
    console.log(`clasp ${VERSION} (wire schema ${SCHEMA_HASH})`)
    return 0
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP)
    return 0
  }
  const cmd = commands[name]
  if (!cmd) {
    process.stderr.write(`clasp: unknown command '${name}'. Run 'clasp --help'.\n`)
    return 2
  }
  try {
    const parsed = parseArgs(rest, cmd.flags)
    if (parsed.flags.has('help')) {
      process.stdout.write(helpFor(cmd.usage, cmd.summary, cmd.flags))
      return 0
    }
    return await cmd.run(parsed)
  } catch (e) {
    const err = e as Error
    const known = e instanceof UsageError || e instanceof ConfigError || err.name === 'ListenError' || err.name === 'ClaspError' || err.name === 'ConnectError'
    process.stderr.write(`clasp ${name}: ${known ? err.message : String(err.stack ?? err)}\n`)
    return e instanceof UsageError ? 2 : 1
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e) => {
    process.stderr.write(`clasp: ${String(e)}\n`)
    process.exitCode = 1
  },
)
