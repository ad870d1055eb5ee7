/**
 * The examples in README.md and docs/bridges.md are what users copy first: every YAML block in
 * them must pass the same validation as `clasp server --config`, and every `clasp <bridge> ...`
 * command line must parse into valid options for that bridge.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { bridgeKinds, kindOptions } from '../../bridges/registry.ts'
import { parseArgs } from '../../runtime/cli/args.ts'
import { bridgeCommands, flagsFor, optionsFromFlags } from '../../runtime/cli/commands/bridge.ts'
import { validateConfig } from '../../runtime/cli/config.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

function yamlBlocks(file: string): string[] {
  const text = readFileSync(`${root}/${file}`, 'utf8')
  return [...text.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gm)].map(([, indent, body]) => body.split('\n').map((l) => l.slice(indent.length)).join('\n'))
}

describe('config examples in the docs', () => {
  for (const file of ['README.md', 'docs/bridges.md']) {
    test(`${file}: every YAML block is a valid server config`, () => {
      const blocks = yamlBlocks(file)
      expect(blocks.length).toBeGreaterThan(0)
      for (const block of blocks) expect(() => validateConfig(parseYaml(block), file)).not.toThrow()
    })
  }
})

/** `clasp <kind> ...` lines for bridge kinds, in inline code or code blocks; 'single quotes' kept together. */
function bridgeCommandLines(file: string): string[][] {
  const text = readFileSync(`${root}/${file}`, 'utf8').replace(/\n\s*/g, ' ')
  const kinds = Object.keys(bridgeKinds).join('|')
  const lines = [...text.matchAll(new RegExp(`clasp (?:${kinds}) (?:[^\`'\\s]|'[^']*'| (?!clasp ))+`, 'g'))].map((m) => m[0].trim())
  return lines.map((l) => [...l.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]))
}

describe('bridge command lines in the docs', () => {
  const commands = bridgeCommands()
  for (const file of ['README.md', 'docs/bridges.md']) {
    test(`${file}: every \`clasp <bridge>\` example parses into valid options`, () => {
      const lines = bridgeCommandLines(file)
      if (file === 'docs/bridges.md') expect(lines.length).toBeGreaterThan(5)
      for (const [, kind, ...args] of lines) {
        const { readers } = flagsFor(kindOptions(bridgeKinds[kind]!))
        const parsed = parseArgs(args, commands[kind]!.flags)
        expect(() => optionsFromFlags(kindOptions(bridgeKinds[kind]!), readers, parsed), `clasp ${kind} ${args.join(' ')}`).not.toThrow()
      }
    })
  }
})
