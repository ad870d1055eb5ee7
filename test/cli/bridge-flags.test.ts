import { describe, expect, it } from 'vitest'
import { bridgeKinds, kindOptions } from '../../bridges/registry.ts'
import { UsageError } from '../../runtime/cli/args.ts'
import { bridgeCommands, flagsFor } from '../../runtime/cli/commands/bridge.ts'

function reader(kind: string, flag: string) {
  const r = flagsFor(kindOptions(bridgeKinds[kind]!)).readers.get(flag)
  if (!r) throw new Error(`no --${flag} on clasp ${kind}`)
  return (v: string) => r.read([v])
}

describe('bridge flags from option schemas', () => {
  it('every kind\'s options become flags that clash with none of the common ones (--url, --name, ...)', () => {
    expect(Object.keys(bridgeCommands()).sort()).toEqual(Object.keys(bridgeKinds).sort())
  })

  it('a string | integer | false option takes plain text, a number or false without JSON quoting', () => {
    const input = reader('midi', 'input')
    expect(input('Launchpad Mini')).toBe('Launchpad Mini')
    expect(input('2')).toBe(2)
    expect(input('false')).toBe(false)
    // 'true' is not a member of the union for MIDI ports, so it stays a (port-name) string
    expect(input('true')).toBe('true')
  })

  it('a boolean | string option reads true/false as booleans and anything else as text', () => {
    const broadcast = reader('artnet', 'broadcast')
    expect(broadcast('true')).toBe(true)
    expect(broadcast('false')).toBe(false)
    expect(broadcast('10.0.0.255:6454')).toBe('10.0.0.255:6454')
  })

  it('structured options still demand JSON, with a usage error naming the flag', () => {
    const transforms = reader('osc', 'transforms')
    expect(transforms('[]')).toEqual([])
    expect(() => transforms('nope')).toThrow(UsageError)
    expect(() => transforms('nope')).toThrow(/--transforms must be JSON/)
  })
})

describe('list and switch flags', () => {
  it('a list of integers is repeatable or comma-separated', () => {
    expect(reader('sacn', 'universes')('1,2')).toEqual([1, 2])
    const r = flagsFor(kindOptions(bridgeKinds.sacn!)).readers.get('universes')!
    expect(r.read(['1', '5'])).toEqual([1, 5])
  })

  it('every switch has a --no- form, so a flag can override a config file either way', () => {
    const { readers } = flagsFor(kindOptions(bridgeKinds.sacn!))
    expect(readers.get('receive')!.read([])).toBe(true)
    expect(readers.get('no-receive')!.read([])).toBe(false)
  })
})
