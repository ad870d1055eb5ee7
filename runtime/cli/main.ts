/**
 * The `clasp` command line. The router arrives with the next milestone; until then `server`
 * says so plainly instead of pretending to listen.
 */
import { SCHEMA_HASH } from '../../generated/types.ts'

const HELP = `clasp — CLASP router, client and bridges (TypeScript)

Usage:
  clasp server [--port 7330] [--tcp-port 7332]   start a router (not yet available in this build)
  clasp --help                                   this help
  clasp --version                                version and wire schema hash

The codec (generated/codec.ts) and the C header (generated/clasp.h) are available now.
`

export function main(argv: string[]): number {
  const [cmd] = argv
  if (cmd === '--version' || cmd === '-v') {
    console.log(`clasp 0.1.0 (schema ${SCHEMA_HASH})`)
    return 0
  }
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(HELP)
    return 0
  }
  if (cmd === 'server') {
    console.log(HELP)
    console.error('clasp server: the router is not part of this build yet; nothing is listening.')
    return 0
  }
  console.error(`clasp: unknown command '${cmd}'. Run 'clasp --help'.`)
  return 2
}

process.exitCode = main(process.argv.slice(2))
