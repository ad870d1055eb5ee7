/**
 * MIDI bridge edge cases found in review: a SysEx too large for one CLASP frame, a parser whose
 * callback throws, SysEx given as an array of numbers that do not fit a byte, and events lost
 * while the router connection is down.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MidiBridge, type MidiOptions } from '../../bridges/midi/bridge.ts'
import { MidiParser } from '../../bridges/midi/parser.ts'
import { type MemoryMidiPort, memoryMidiPort } from '../../bridges/midi/port.ts'
import { type BridgeRig, bridgeRig } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('MidiParser when its callback throws', () => {
  it('has finished with the message before calling back, so the stream after it parses normally', () => {
    const out: string[] = []
    let fail = true
    const p = new MidiParser((m) => {
      if (fail) {
        fail = false
        throw new Error('callback failed')
      }
      out.push(hex(m))
    })
    expect(() => p.push(Uint8Array.of(0xf0, 0x01, 0xf7))).toThrow('callback failed')
    p.push(Uint8Array.of(0x02, 0xf7, 0xb0, 7, 1))
    expect(out).toEqual(['b00701'])
    fail = true
    expect(() => p.push(Uint8Array.of(0x90, 60, 100))).toThrow('callback failed')
    p.push(Uint8Array.of(61, 101))
    expect(out).toEqual(['b00701', '903d65']) // running status carries on
  })
})

describe('MIDI bridge edge cases over the in-process port', () => {
  let r: BridgeRig
  let input: MemoryMidiPort
  let output: MemoryMidiPort
  const start = (o: Partial<MidiOptions> = {}) => r.start(new MidiBridge({ namespace: '/midi', device: 'pad', ports: { input, output }, ...o }))

  beforeEach(async () => {
    r = await bridgeRig('/**')
    input = memoryMidiPort('in')
    output = memoryMidiPort('out')
  })
  afterEach(async () => {
    await r.close()
  })

  it('a SysEx too large for one CLASP frame is a counted error, not an exception thrown into the port', async () => {
    const b = await start()
    const big = [0xf0, ...new Array(65_530).fill(0x01), 0xf7]
    expect(() => input.inject(big)).not.toThrow()
    input.inject([0xf0, 0x43, 0x10, 0xf7, 0xb0, 7, 5])
    await waitFor(() => r.seen.length >= 2, 2000, 'the messages after it')
    expect(r.seen.map((s) => [s.address, s.value])).toEqual([
      ['/midi/pad/sysex', Uint8Array.of(0xf0, 0x43, 0x10, 0xf7)],
      ['/midi/pad/ch/0/cc/7', 5n],
    ])
    expect(b.stats()).toMatchObject({ errors: 1, malformed: 0 })
  })

  it('SysEx as an array of numbers: a number that is not a byte is rejected, not wrapped modulo 256', async () => {
    const b = await start()
    r.observer.emit('/midi/pad/sysex', [0x43n, 0x110n]) // 0x110 would go out as 0x10
    r.observer.emit('/midi/pad/sysex', [0x43, 1.5])
    r.observer.emit('/midi/pad/sysex', [0xf0, 0x43, 0x1f7]) // 0x1f7 would pass for the F7 framing
    r.observer.emit('/midi/pad/sysex', [0xf0n, 0x43n, 0x10n, 0xf7n]) // valid
    await waitFor(() => b.stats().rejected + b.stats().outbound >= 4, 2000, 'all four handled')
    expect(output.sent.map(hex)).toEqual(['f04310f7'])
    expect(b.stats().rejected).toBe(3)
  })

  it('an event that cannot reach the router (connection down) counts as an error', async () => {
    const b = await start()
    await r.clasp.close()
    input.inject([0x90, 60, 100, 0xc0, 5, 0xf8])
    await sleep(20)
    expect(b.stats().errors).toBe(3)
  })
})

describe('MIDI bridge start on the real backend (a fake RtMidi module)', () => {
  /** node-midi's shape: one input port, no output port; records opened and closed ports. */
  function fakeRtMidi(log: string[]) {
    class Io {
      constructor(readonly kind: string, readonly ports: string[]) {}
      getPortCount() { return this.ports.length }
      getPortName(i: number) { return this.ports[i] }
      openPort(i: number) { log.push(`open ${this.kind} ${this.ports[i]}`) }
      openVirtualPort(name: string) { log.push(`open virtual ${this.kind} ${name}`) }
      closePort() { log.push(`close ${this.kind}`) }
      on() {}
      ignoreTypes() {}
      sendMessage() {}
    }
    return {
      Input: class extends Io { constructor() { super('input', ['Keys']) } },
      Output: class extends Io { constructor() { super('output', []) } },
    }
  }

  it('an output that cannot be opened fails start() and closes the input it had already opened', async () => {
    const r = await bridgeRig('/**')
    try {
      const log: string[] = []
      const bridge = new MidiBridge({ namespace: '/midi', backend: { platform: 'darwin', load: async () => fakeRtMidi(log) as never } })
      await expect(r.start(bridge)).rejects.toThrow(/no MIDI output ports/)
      expect(log).toEqual(['open input Keys', 'close input'])
    } finally {
      await r.close()
    }
  })
})
