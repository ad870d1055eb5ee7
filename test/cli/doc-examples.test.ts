/**
 * The config examples in README.md and docs/bridges.md are what users copy first: every YAML block
 * in them must pass the same validation as `clasp server --config`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { parse as parseYaml } from 'yaml'
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
