/**
 * MIDI bridge: the whole mapping in both directions through the in-process MidiPort (no MIDI
 * subsystem exists in containers or on CI), the byte-stream parser, and the real backend's
 * behaviour where there is no MIDI: a plain message instead of ALSA noise.
 */
import { existsSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MidiUnavailableError, loadMidiBackend, selectPort } from '../../bridges/midi/backend.ts'
import { MidiBridge, type MidiOptions } from '../../bridges/midi/bridge.ts'
import { MidiParser } from '../../bridges/midi/parser.ts'
import { type MemoryMidiPort, memoryMidiPort } from '../../bridges/midi/port.ts'
import { connect } from '../../runtime/client/index.ts'
import { memoryTransport } from '../../runtime/client/transport-memory.ts'
import { type BridgeRig, bridgeRig } from '../support/peers.ts'
import { sleep, waitFor } from '../support/wait.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('MidiParser (byte stream)', () => {
  const parse = (...chunks: number[][]) => {
    const out: string[] = []
    const p = new MidiParser((m) => out.push(hex(m)), 8)
    for (const c of chunks) p.push(Uint8Array.from(c))
    return { out, unknown: p.unknown }
  }

  it('splits running status, keeps real-time bytes interleaved inside messages, and reassembles across chunks', () => {
    expect(parse([0x90, 60, 100, 62], [90, 0xf8, 64], [0])).toEqual({ out: ['903c64', '903e5a', 'f8', '904000'], unknown: 0 })
    expect(parse([0xf0, 1, 0xfa, 2], [3, 0xf7])).toEqual({ out: ['fa', 'f0010203f7'], unknown: 0 })
    expect(parse([0xe0, 0x00, 0x40, 0xc5, 3, 4])).toEqual({ out: ['e00040', 'c503', 'c504'], unknown: 0 })
  })

  it('counts and drops bytes that cannot be MIDI, then recovers', () => {
    expect(parse([1, 2, 0xb0, 7, 100])).toEqual({ out: ['b00764'], unknown: 2 }) // data with no status
    expect(parse([0xf4, 0xf5, 0xf9, 0xfd, 0xf7, 5, 0x80, 60, 0])).toEqual({ out: ['803c00'], unknown: 6 }) // undefined statuses, stray EOX
    expect(parse([0x90, 60, 0xb0, 1, 2])).toEqual({ out: ['b00102'], unknown: 1 }) // note cut short
    expect(parse([0xf0, 1, 2, 0x90, 1, 2])).toEqual({ out: ['900102'], unknown: 3 }) // unterminated SysEx
    expect(parse([0xf0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xf7, 0xfe]).unknown).toBe(11) // SysEx over the 8-byte test limit
    expect(parse([0xf2, 1, 2, 5, 0xf6]).out).toEqual(['f20102', 'f6']) // System Common cancels running status
  })
})

/** A parser callback that throws: the stream after the message it was given still parses. */
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

describe('MIDI bridge over the in-process port', () => {
  let r: BridgeRig
  let input: MemoryMidiPort
  let output: MemoryMidiPort
  const start = (o: Partial<MidiOptions> = {}) => r.start(new MidiBridge({ namespace: '/midi', device: 'pad', ports: { input, output }, ...o }))
  const sent = () => output.sent.map(hex)

  beforeEach(async () => {
    r = await bridgeRig('/**')
    input = memoryMidiPort('in')
    output = memoryMidiPort('out')
  })
  afterEach(async () => {
    await r.close()
  })

  it('maps every message kind inbound (channels 0-15 by default)', async () => {
    const b = await start()
    input.inject([0x91, 60, 100, 0x81, 60, 64, 0x91, 61, 0]) // on, off (release 64), on with velocity 0
    input.inject([0xa2, 60, 33, 0xb3, 7, 127, 0xc4, 5, 0xd5, 80, 0xe6, 0x00, 0x00, 0xef, 0x7f, 0x7f])
    input.inject([0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7, 0xf8, 0xfa, 0xfb, 0xfc])
    await waitFor(() => r.seen.length >= 14, 2000, 'all messages')
    const got = r.seen.map((s) => [s.meta.signal, s.address, s.value])
    expect(got).toEqual([
      ['event', '/midi/pad/ch/1/note', { note: 60n, velocity: 100n, on: true }],
      ['event', '/midi/pad/ch/1/note', { note: 60n, velocity: 64n, on: false }],
      ['event', '/midi/pad/ch/1/note', { note: 61n, velocity: 0n, on: false }],
      ['param', '/midi/pad/ch/2/poly/60', 33n],
      ['param', '/midi/pad/ch/3/cc/7', 127n],
      ['event', '/midi/pad/ch/4/program', 5n],
      ['param', '/midi/pad/ch/5/pressure', 80n],
      ['param', '/midi/pad/ch/6/bend', -8192n],
      ['param', '/midi/pad/ch/15/bend', 8191n],
      ['event', '/midi/pad/sysex', Uint8Array.from([0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7])],
      ['event', '/midi/pad/clock', null],
      ['event', '/midi/pad/transport', 'start'],
      ['event', '/midi/pad/transport', 'continue'],
      ['event', '/midi/pad/transport', 'stop'],
    ])
    // Nothing that came from MIDI went back out to MIDI.
    await sleep(100)
    expect(output.sent).toEqual([])
    expect(b.stats()).toMatchObject({ inbound: 14, suppressed: 5, outbound: 0 })
  })

  it('a user rule that renames an address keeps normalize: a mixer fader on CC 7 is 0..1 both ways', async () => {
    await start({ normalize: true, transforms: [{ match: '/midi/pad/ch/0/cc/7', to: '/mixer/volume' }] })
    input.inject([0xb0, 7, 127])
    await waitFor(() => r.router.params.get('/mixer/volume') !== undefined, 2000, 'the renamed CC')
    expect(r.router.params.get('/mixer/volume')?.value).toBe(1) // a Float, normalised
    expect(r.router.params.get('/midi/pad/ch/0/cc/7')).toBeUndefined()
    await r.observer.set('/mixer/volume', 0.5)
    await waitFor(() => output.sent.length >= 1, 2000, 'the CC out')
    expect(sent()).toEqual(['b00740']) // 0.5 × 127 = 63.5 → 64
  })

  it('the current values go to the device on start only with syncOnStart', async () => {
    await r.observer.set('/midi/pad/ch/0/cc/1', 10n)
    const quiet = await start()
    await r.clasp.flush()
    await sleep(50)
    expect(output.sent).toEqual([])
    await quiet.stop()
    await start({ syncOnStart: true })
    await waitFor(() => output.sent.length >= 1, 2000, 'the synced value')
    expect(sent()).toEqual(['b0010a'])
  })

  it('maps every kind outbound, parsing addresses relative to {ns}/{device}, and round-trips what it emits', async () => {
    const b = await start({ namespace: '/studio/midi' })
    const o = r.observer
    await o.set('/studio/midi/pad/ch/3/cc/7', 100n)
    await o.set('/studio/midi/pad/ch/2/poly/60', 5n)
    await o.set('/studio/midi/pad/ch/5/pressure', 80n)
    await o.set('/studio/midi/pad/ch/6/bend', -8192n)
    await o.set('/studio/midi/pad/ch/6/bend', 8191n)
    await o.set('/studio/midi/pad/ch/6/bend', 0n)
    await o.set('/studio/midi/pad/ch/4/program', 9n)
    o.emit('/studio/midi/pad/ch/4/program', 10n)
    o.emit('/studio/midi/pad/ch/1/note', { note: 60n, velocity: 100n })
    o.emit('/studio/midi/pad/ch/1/note', { note: 60n, velocity: 0n })
    o.emit('/studio/midi/pad/ch/1/note', { note: 60n, velocity: 30n, on: false })
    o.emit('/studio/midi/pad/sysex', Uint8Array.from([0x43, 0x10]))
    o.emit('/studio/midi/pad/clock')
    o.emit('/studio/midi/pad/transport', 'stop')
    await waitFor(() => output.sent.length >= 14, 2000, '14 messages')
    expect(sent()).toEqual(['b30764', 'a23c05', 'd550', 'e60000', 'e67f7f', 'e60040', 'c409', 'c40a', '913c64', '813c00', '813c1e', 'f04310f7', 'f8', 'fc'])
    // Round trip: MIDI → CLASP on one bridge → MIDI on another bridge of the same device.
    // (Its own CLASP session: the router never returns a PUBLISH to the session that sent it.)
    const echoOut = memoryMidiPort('echo')
    const second = await connect('memory://second', { name: 'second bridge', transport: memoryTransport(r.router), reconnect: false })
    const echo = new MidiBridge({ namespace: '/studio/midi', device: 'pad', ports: { output: echoOut } })
    await echo.start({ clasp: second, log: r.log })
    await sleep(50)
    echoOut.sent.length = 0
    const messages = [[0xb3, 7, 99], [0xe6, 0x12, 0x34], [0xd5, 7], [0xa2, 60, 9], [0x91, 64, 90], [0xc4, 3]]
    for (const m of messages) input.inject(m)
    await waitFor(() => echoOut.sent.length >= messages.length, 2000, 'round trip')
    expect(echoOut.sent.map(hex)).toEqual(messages.map((m) => hex(Uint8Array.from(m))))
    expect(b.stats().rejected).toBe(0)
    await echo.stop()
    await second.close()
  })

  it('normalize: CC, pressure, velocity as 0..1 and bend as -1..1, through the transform layer both ways', async () => {
    await start({ normalize: true })
    input.inject([0xb0, 1, 127, 0xb0, 2, 64, 0xe0, 0x00, 0x40, 0xe0, 0x00, 0x00, 0x90, 60, 127])
    await waitFor(() => r.seen.length >= 5)
    expect(r.seen.map((s) => s.value)).toEqual([1, 64 / 127, 0, -1, { note: 60n, velocity: 1, on: true }])
    await r.observer.set('/midi/pad/ch/0/cc/3', 0.5)
    await r.observer.set('/midi/pad/ch/0/bend', 1)
    await r.observer.set('/midi/pad/ch/0/bend', -0.5)
    r.observer.emit('/midi/pad/ch/0/note', { note: 61n, velocity: 0.5 })
    await waitFor(() => output.sent.length >= 4)
    expect(sent()).toEqual(['b00340', 'e07f7f', 'e00020', '903d40'])
  })

  it('channelBase 1: channels 1-16 in addresses', async () => {
    const b = await start({ channelBase: 1 })
    input.inject([0xb0, 1, 5, 0xbf, 1, 6])
    await waitFor(() => r.seen.length >= 2)
    expect(r.seen.map((s) => s.address)).toEqual(['/midi/pad/ch/1/cc/1', '/midi/pad/ch/16/cc/1'])
    await r.observer.set('/midi/pad/ch/16/cc/2', 3n)
    await r.observer.set('/midi/pad/ch/0/cc/2', 3n) // no channel 0 in 1-based addressing
    await waitFor(() => output.sent.length >= 1 && b.stats().rejected === 1)
    expect(sent()).toEqual(['bf0203'])
  })

  it('unknown bytes are counted, logged and dropped without corrupting state; unmapped messages are counted', async () => {
    const b = await start()
    input.inject([0x05, 0x06, 0xf4, 0xf9, 0xb0]) // garbage, then a CC cut short by…
    input.inject([0x90]) // …a status byte, itself cut short
    input.inject([0xfe, 0xf1, 0x10, 0xf2, 1, 2, 0xf3, 4, 0xf6, 0xff]) // active sensing, MTC, SPP, song select, tune request, reset
    input.inject([0xb0, 7, 1]) // then valid input
    await waitFor(() => r.seen.length >= 1)
    expect(r.seen.map((s) => [s.address, s.value])).toEqual([['/midi/pad/ch/0/cc/7', 1n]])
    expect(b.stats()).toMatchObject({ malformed: 4, unmapped: 6, inbound: 1 })
    expect(r.log.entries.some((e) => e.level === 'warn' && e.msg === 'midi: dropped bytes that are not valid MIDI')).toBe(true)
  })

  it('rejects CLASP updates that cannot become MIDI', async () => {
    const b = await start()
    const bad: Array<[string, unknown]> = [
      ['/midi/pad/ch/16/cc/1', 1n], ['/midi/pad/ch/0/cc/128', 1n], ['/midi/pad/ch/0/cc/1', 'x'], ['/midi/pad/ch/0/foo', 1n],
      ['/midi/pad/ch/0/note', 60n], ['/midi/pad/transport', 'rewind'], ['/midi/pad/sysex', Uint8Array.from([0x80])], ['/midi/pad/unknown', 1n],
    ]
    for (const [a, v] of bad) await r.observer.set(a, v as never)
    await waitFor(() => b.stats().rejected === bad.length)
    expect(output.sent).toEqual([])
    await r.observer.set('/midi/other/ch/0/cc/1', 1n) // another device: not ours, not an error
    await sleep(50)
    expect(b.stats().rejected).toBe(bad.length)
  })

  /**
   * A SysEx too large for one CLASP frame, SysEx given as numbers that are not bytes, and events
   * lost while the router connection is down: counted, never thrown into the port.
   */
  describe('counted errors and rejections', () => {
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
      expect(sent()).toEqual(['f04310f7'])
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
})

describe('the real MIDI backend', () => {
  it('says plainly when there is no MIDI subsystem (as in containers and on CI)', async () => {
    const err = await loadMidiBackend({ platform: 'linux', sequencerPath: '/nonexistent/snd/seq' }).catch((e) => e)
    expect(err).toBeInstanceOf(MidiUnavailableError)
    expect(err.message).toMatch(/^no MIDI subsystem on this machine: \/nonexistent\/snd\/seq does not exist/)
  })

  it.skipIf(existsSync('/dev/snd/seq'))('here, starting a bridge on real ports fails with that message', async () => {
    const r = await bridgeRig('/**')
    try {
      await expect(r.start(new MidiBridge({ namespace: '/midi' }))).rejects.toThrow(/no MIDI subsystem on this machine/)
    } finally {
      await r.close()
    }
  })

  it('says which package is missing when the native module cannot load', async () => {
    const err = await loadMidiBackend({ platform: 'darwin', load: () => Promise.reject(new Error("Cannot find package 'midi'")) }).catch((e) => e)
    expect(err).toBeInstanceOf(MidiUnavailableError)
    expect(err.message).toMatch(/optional native npm package 'midi' or '@julusian\/midi'/)
  })

  it('selects ports by case-insensitive name substring or index, listing the choices when none matches', () => {
    const names = ['Midi Through:Midi Through Port-0 14:0', 'Launchpad X:Launchpad X LPX MIDI In 20:0']
    expect(selectPort(names, undefined, 'input')).toBe(0)
    expect(selectPort(names, 'launchpad', 'input')).toBe(1)
    expect(selectPort(names, 1, 'input')).toBe(1)
    expect(() => selectPort(names, 'APC', 'input')).toThrow(/no MIDI input port matching "APC" \(available: 0: Midi Through.*1: Launchpad/)
    expect(() => selectPort([], undefined, 'output')).toThrow(MidiUnavailableError)
  })
})

/** A start on the real backend that fails half-way closes the ports it had already opened. */
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
