/**
 * Address syntax and the reference's pattern matchers [wire §8], checked against the 73 shared
 * cases in test/fixtures/address-matching.json (vectors README §2): every case is run through
 * `Address::parse`, `Pattern::compile`, `glob_match`, `Pattern::matches` and the router trie.
 * Further tables hold results produced by running the reference crates themselves
 * (`glob-match` 0.2.1, `regex-lite` 0.1.9), and property tests compare the trie with a plain
 * recursive matcher.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  SubscriptionTrie,
  compilePattern,
  globMatch,
  globMatchDetailed,
  parseAddress,
  patternMatches,
  patternToRegexSource,
  regexLiteError,
  trieMatches,
} from '../../runtime/address/index.ts'

interface AddressCase {
  pattern: string
  address: string
  pattern_compile_ok: boolean
  pattern_compile_error: string
  pattern_matches: boolean | null
  address_parse_ok: boolean
  address_parse_error: string
  glob_match: boolean
  router_trie: boolean | null
}

const cases = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/address-matching.json', import.meta.url)), 'utf8'),
) as AddressCase[]

/** The reference's `Debug` of an address/pattern error, e.g. `InvalidAddress("empty address")`. */
function rustError(variant: 'InvalidAddress' | 'InvalidPattern', message: string): string {
  return `${variant}(${JSON.stringify(message)})`
}

const caseName = (c: AddressCase, i: number) => `#${i} ${JSON.stringify(c.pattern)} vs ${JSON.stringify(c.address)}`

describe('the 73 shared pattern/address cases', () => {
  test('the fixture has 73 cases', () => {
    expect(cases).toHaveLength(73)
  })

  test.each(cases.map((c, i) => [caseName(c, i), c] as const))('[wire §8.3] %s', (_name, c) => {
    const parsed = parseAddress(c.address)
    const compiled = compilePattern(c.pattern)
    const actual = {
      address_parse_ok: parsed.ok,
      address_parse_error: parsed.ok ? '' : rustError('InvalidAddress', parsed.error),
      pattern_compile_ok: compiled.ok,
      pattern_compile_error: compiled.ok
        ? ''
        : rustError(compiled.code === 'INVALID_ADDRESS' ? 'InvalidAddress' : 'InvalidPattern', compiled.message),
      glob_match: globMatch(c.pattern, c.address),
      // Scopes and subscriptions only exist for patterns that compiled.
      pattern_matches: compiled.ok ? patternMatches(c.pattern, c.address) : null,
      router_trie: compiled.ok ? trieMatches(c.pattern, c.address) : null,
    }
    const expected = {
      address_parse_ok: c.address_parse_ok,
      address_parse_error: c.address_parse_error,
      pattern_compile_ok: c.pattern_compile_ok,
      pattern_compile_error: c.pattern_compile_error,
      glob_match: c.glob_match,
      pattern_matches: c.pattern_matches,
      router_trie: c.router_trie,
    }
    expect(actual).toEqual(expected)
  })

  test('[wire §8.3] one trie holding every compiled pattern gives the same fan-out per case', () => {
    const trie = new SubscriptionTrie<string>()
    const patterns = [...new Set(cases.filter((c) => c.pattern_compile_ok).map((c) => c.pattern))]
    for (const p of patterns) trie.add(p, p)
    expect(trie.size).toBe(patterns.length)
    for (const c of cases) {
      if (c.router_trie === null) continue
      expect(trie.match(c.address).has(c.pattern), caseName(c, cases.indexOf(c))).toBe(c.router_trie)
    }
  })
})

describe('[wire §8.2] glob_match beyond the shared cases (results from glob-match 0.2.1)', () => {
  // Produced by running the Rust crate on each pair; braces, classes, escapes and negation are
  // live in snapshot/QUERY matching even though subscribers should not rely on them.
  const table: [string, string, boolean][] = [
    ['test.{jpg,png}', 'test.png', true],
    ['test.{j*g,p*g}', 'test.jpxxxg', true],
    ['test/{foo,bar}/baz', 'test/baz/baz', false],
    ['a/{a{a,b},b}', 'a/ab', true],
    ['a/{a{a,b},b}', 'a/ac', false],
    ['/a/{b,c}/*', '/a/c/x', true],
    ['/a/{b,c}/*', '/a/d/x', false],
    ['/a/[!b]', '/a/c', true],
    ['/a/[!b]', '/a/b', false],
    ['/a/[^b]', '/a/b', false],
    ['/a/[a-c]x', '/a/bx', true],
    ['/a/[]]', '/a/]', true],
    ['/a/[bc', '/a/b', false],
    ['/a/{b,c', '/a/b', false],
    ['/a/b\\', '/a/b', false],
    ['/a/\\?', '/a/?', true],
    ['/a/\\?', '/a/x', false],
    ['!/a/*', '/b', true],
    ['!!/a/*', '/a/b', true],
    ['/a/?', '/a/', false],
    // Matching is over UTF-8 bytes: `?` is one byte, so `ü` needs two and `[ü]` never matches.
    ['/a/??', '/a/ü', true],
    ['/a/?', '/a/ü', false],
    ['/a/[ü]', '/a/ü', false],
    ['/**/b', '/a/b', true],
    ['/a/**/', '/a/x/', true],
    ['/a/**', '/a', false],
    ['/a/**', '/a/', true],
    ['**', '/a/b', true],
    ['*', '/a', false],
    ['/a*/b', '/ab/b', true],
    ['/a/b/', '/a/b', false],
    ['/**/*.json', '/x/y/z.json', true],
    ['/**/*.json', '/z.json', true],
    ['/a/**/b/**/c', '/a/b/b/c/c', true],
    ['/{a,b}/**', '/b/x/y', true],
  ]
  test.each(table)('globMatch(%j, %j) = %s', (pattern, address, expected) => {
    expect(globMatch(pattern, address)).toBe(expected)
  })

  // glob-match 0.2.1 never returns on these (found by differential fuzzing against the crate);
  // a router must not freeze on a QUERY, so the port gives up after its step budget.
  test.each([
    ['/a}{?/**/!a,*', '/a}-//\\]/?a,*'],
    ['{**/**/!/**//,*!', '[bü/\\\\/x/-[//,cx'],
  ])('reference infinite loop %j vs %j ends as "no match"', (pattern, address) => {
    const outcome = globMatchDetailed(pattern, address)
    expect(outcome).toMatchObject({ matched: false, loops: true, capped: false })
    // Detected within a few cycle lengths, not after some large budget.
    expect(outcome.steps).toBeLessThan(1000)
    expect(globMatch(pattern, address)).toBe(false)
  })

  test('loop detection never fires on the shared cases, and steps stay near |pattern| x |address|', () => {
    for (const c of cases) {
      const outcome = globMatchDetailed(c.pattern, c.address)
      expect(outcome).toMatchObject({ matched: c.glob_match, loops: false, capped: false })
      expect(outcome.steps).toBeLessThanOrEqual(2 * (c.pattern.length + 2) * (c.address.length + 2))
    }
  })

  test('a step cap is honoured', () => {
    expect(globMatchDetailed('/a/*/*/*/x', '/a/b/c/d/e/f/g', 3)).toMatchObject({ matched: false, capped: true, steps: 4 })
  })
})

describe('[wire §8.3] Pattern::compile regex check (results from regex-lite 0.1.9)', () => {
  test('the translation replaces /** and * and copies everything else', () => {
    expect(patternToRegexSource('/lumen/**/opacity')).toBe('^/lumen(/[^/]+)*/opacity$')
    expect(patternToRegexSource('/a/zone5*')).toBe('^/a/zone5[^/]*$')
    expect(patternToRegexSource('/a/b**')).toBe('^/a/b[^/]*[^/]*$')
    expect(patternToRegexSource('/x.y/{b,c}/*')).toBe('^/x.y/{b,c}/[^/]*$')
  })

  // Each regex was given to `regex_lite::Regex::new`; `null` = accepted, else its message.
  const table: [string, string | null][] = [
    ['^/a/{b,c}/[^/]*$', 'expected decimal number, but found no digits'],
    ['^/a/(x/[^/]*$', "found open group without closing ')'"],
    ['^/a/x)/[^/]*$', "found closing ')' without matching '('"],
    ['^/a/]/[^/]*$', null],
    ['^/a/}/[^/]*$', null],
    ['^/a/{/[^/]*$', 'expected decimal number, but found no digits'],
    ['^/a/a{2}/[^/]*$', null],
    ['^/a/a{3,1}/[^/]*$', 'found counted repetition with a min bigger than its max'],
    ['^/a/a{,2}$', 'expected decimal number, but found no digits'],
    ['^[^/]*(/[^/]+)*$', null],
    ['^/a/\\d/[^/]*$', null],
    ['^/a/\\e/[^/]*$', 'unrecognized escape sequence'],
    ['^/a/\\/[^/]*$', null],
    ['^/a/\\$', null],
    ['^/a/[[:alpha:]]/[^/]*$', null],
    ['^/a/[[:nope:]]/[^/]*$', 'nested character classes are not supported'],
    ['^/a/(?i)x/[^/]*$', null],
    ['^/a/(?z)x$', 'unrecognized inline flag'],
    ['^/a/(?=x)$', 'look-around is not supported'],
    ['^/a/(?P<n>x)(?P<n>y)$', 'duplicate capture group name'],
    ['^/a/\\p{L}$', 'Unicode character classes are not supported'],
    ['^/a/\\1$', 'backreferences are not supported'],
    ['^/a/\\x{110000}$', 'got invalid hexadecimal number in braces'],
    ['^/a/\\b{start}x$', null],
    ['^/a/\\b{bogus}x$', 'special word boundary assertion is unrecognized'],
    ['^/a/x{4294967296}$', 'got invalid decimal number'],
    ['^/a{400000}[^/]*$', 'compiled regex exceeded size limit'],
    ['^/a{300000}[^/]*$', null],
    [`^${'('.repeat(51)}${')'.repeat(51)}$`, 'pattern has too much nesting'],
    [`^${'('.repeat(49)}${')'.repeat(49)}$`, null],
    [`^a${'?'.repeat(60)}$`, null],
    ['^/a/[a-\\d]$', 'character class ranges must start and end with a single character'],
    ['^/a/[z-a]$', 'invalid range in character class'],
    ['^/a/[a&&b]$', 'character class intersection is not supported'],
    ['^/a/§§[^/]*$', null],
    ['^/a/x++$', null],
    ['^/a/*$', null],
    ['^+$', null],
    ['^/a/#[^/]*$', null],
    ['^/ünï/[^/]*/ç$', null],
  ]
  test.each(table)('regexLiteError(%j) = %j', (regex, expected) => {
    expect(regexLiteError(regex)).toBe(expected)
  })

  test('patterns without * are never regex-checked', () => {
    expect(compilePattern('/a/{b,c}')).toMatchObject({ ok: true, hasWildcard: false })
    expect(compilePattern('/a/(x')).toMatchObject({ ok: true, hasWildcard: false })
    expect(compilePattern('/a/(x/*')).toMatchObject({ ok: false, code: 'INVALID_PATTERN' })
  })
})

// ---------------------------------------------------------------------------------------------
// Property tests.

/** The trie's semantics written as the obvious recursion over segments [wire §8.3]. */
function referenceTrieMatch(pattern: string, address: string): boolean {
  const ps = pattern.slice(1).split('/')
  const as = address.slice(1).split('/')
  const rec = (i: number, j: number): boolean => {
    if (i === ps.length) return j === as.length
    const p = ps[i]
    if (p === '**') return rec(i + 1, j) || (j < as.length && rec(i, j + 1))
    if (j === as.length) return false
    if (p.includes('*')) return rec(i + 1, j + 1)
    return p === as[j] && rec(i + 1, j + 1)
  }
  const partial = ps.some((s) => s !== '*' && s !== '**' && s.includes('*'))
  return rec(0, 0) && (!partial || globMatch(pattern, address))
}

const patternSegment = fc.constantFrom('a', 'b', 'ab', '*', '**', 'a*', '*b', '?', '{a,b}')
const arbPattern = fc
  .tuple(fc.array(patternSegment, { maxLength: 6 }), fc.boolean())
  // Only the last segment may be empty, as Address::parse requires.
  .map(([segs, trailingEmpty]) => '/' + [...segs, ...(trailingEmpty || segs.length === 0 ? [''] : [])].join('/'))
const arbAddress = fc
  .array(fc.constantFrom('a', 'b', 'ab', 'ba', '', '?', '*'), { minLength: 1, maxLength: 8 })
  .map((segs) => '/' + segs.join('/'))

describe('SubscriptionTrie properties', () => {
  test('[wire §8.3] matches equal the recursive reference for many patterns at once', () => {
    fc.assert(
      fc.property(fc.array(arbPattern, { minLength: 1, maxLength: 12 }), fc.array(arbAddress, { maxLength: 10 }), (patterns, addresses) => {
        const trie = new SubscriptionTrie<number>()
        patterns.forEach((p, i) => trie.add(p, i))
        for (const address of addresses) {
          const expected = patterns.flatMap((p, i) => (referenceTrieMatch(p, address) ? [i] : []))
          expect([...trie.match(address)].sort((x, y) => x - y)).toEqual(expected)
        }
      }),
      { numRuns: 500 },
    )
  })

  test('each value is delivered once even when several of its patterns match', () => {
    fc.assert(
      fc.property(fc.array(arbPattern, { minLength: 1, maxLength: 10 }), arbAddress, (patterns, address) => {
        const trie = new SubscriptionTrie<string>()
        for (const p of patterns) trie.add(p, 'session')
        const visits: string[] = []
        trie.forEachMatch(address, (v) => visits.push(v))
        expect(visits).toEqual(patterns.some((p) => referenceTrieMatch(p, address)) ? ['session'] : [])
      }),
      { numRuns: 300 },
    )
  })

  test('adding then removing everything, in any order, leaves an empty trie', () => {
    const registrations = fc.array(fc.tuple(arbPattern, fc.integer({ min: 0, max: 3 })), { maxLength: 15 })
    fc.assert(
      fc.property(registrations, fc.func(fc.integer()), arbAddress, (regs, order, address) => {
        const trie = new SubscriptionTrie<number>()
        for (const [p, v] of regs) trie.add(p, v)
        expect(trie.size).toBe(regs.length)
        const shuffled = regs
          .map((r, i) => ({ r, k: order(i) }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.r)
        // Remove half first: what remains must still match like the reference.
        const half = shuffled.slice(0, shuffled.length >> 1)
        for (const [p, v] of half) expect(trie.remove(p, v)).toBe(true)
        const rest = shuffled.slice(half.length)
        const expected = new Set(rest.filter(([p]) => referenceTrieMatch(p, address)).map(([, v]) => v))
        expect(trie.match(address)).toEqual(expected)
        for (const [p, v] of rest) expect(trie.remove(p, v)).toBe(true)
        expect(trie.size).toBe(0)
        expect(trie.nodeCount()).toBe(1)
        expect(trie.match(address).size).toBe(0)
        expect(trie.remove('/a', 0)).toBe(false)
      }),
      { numRuns: 300 },
    )
  })

  test('duplicate registrations are counted', () => {
    const trie = new SubscriptionTrie<string>()
    trie.add('/a/*', 's1')
    trie.add('/a/*', 's1')
    expect(trie.remove('/a/*', 's1')).toBe(true)
    expect(trie.match('/a/x')).toEqual(new Set(['s1']))
    expect(trie.remove('/a/*', 's1')).toBe(true)
    expect(trie.remove('/a/*', 's1')).toBe(false)
    expect(trie.match('/a/x').size).toBe(0)
  })

  test('rejects patterns that fail Address::parse; addresses without / match nothing', () => {
    const trie = new SubscriptionTrie<number>()
    expect(() => trie.add('a/b', 1)).toThrow(TypeError)
    expect(() => trie.add('/a//b', 1)).toThrow(TypeError)
    trie.add('/**', 1)
    expect(trie.match('').size).toBe(0)
    expect(trie.match('a/b').size).toBe(0)
    expect(trie.match('/')).toEqual(new Set([1]))
  })

  test('stacked globstars stay linear: 40 x ** against a 400-segment address', () => {
    const trie = new SubscriptionTrie<number>()
    const pattern = '/' + Array(40).fill('**').join('/') + '/x'
    trie.add(pattern, 1)
    trie.add('/' + Array(40).fill('*/**').join('/') + '/y', 2)
    const miss = '/' + Array(400).fill('a').join('/')
    const hit = miss + '/x'
    const started = performance.now()
    expect(trie.match(miss).size).toBe(0)
    expect(trie.match(hit)).toEqual(new Set([1]))
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

describe('glob and compile properties', () => {
  const literalChars = fc.constantFrom('a', 'b', '/', '.', '-', 'ü', '(', '+', '$', '^')

  test('[wire §8.2] without metacharacters, globMatch is string equality', () => {
    fc.assert(
      fc.property(fc.array(literalChars, { maxLength: 8 }), fc.array(literalChars, { maxLength: 8 }), (p, a) => {
        const pattern = p.join('')
        expect(globMatch(pattern, a.join(''))).toBe(pattern === a.join(''))
        expect(globMatch(pattern, pattern)).toBe(true)
      }),
    )
  })

  test('[wire §8.3] patterns of literal segments, * and ** always compile', () => {
    fc.assert(
      fc.property(arbPattern.filter((p) => !/[?{]/.test(p)), (pattern) => {
        expect(compilePattern(pattern).ok).toBe(true)
      }),
    )
  })

  test('[wire §8.1] patterns without * compile exactly when they parse', () => {
    const chars = fc.constantFrom('a', '/', '{', '(', ')', '[', '?', '\\', '.', '')
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 10 }), (cs) => {
        const pattern = cs.join('')
        expect(compilePattern(pattern).ok).toBe(parseAddress(pattern).ok)
      }),
    )
  })

  test('[wire §8.3] scope matching is glob with * and equality without', () => {
    fc.assert(
      fc.property(arbPattern, arbAddress, (pattern, address) => {
        const expected = pattern.includes('*') ? globMatch(pattern, address) : pattern === address
        expect(patternMatches(pattern, address)).toBe(expected)
      }),
    )
  })
})
