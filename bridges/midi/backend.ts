/**
 * The real MIDI backend: RtMidi through the optional native npm package `midi` (node-midi) or
 * its prebuilt fork `@julusian/midi` (same API, no compiler needed on a Raspberry Pi), loaded
 * only when a MIDI bridge starts without injected ports.
 *
 * Where no MIDI subsystem exists — a Linux container or CI runner has no /dev/snd/seq, so ALSA
 * cannot open its sequencer — loading fails with MidiUnavailableError saying exactly that,
 * before the native module is touched (RtMidi would otherwise print ALSA errors and report zero
 * ports). Port selection is by name: a case-insensitive substring, because ALSA prefixes names
 * with changing `client:port` numbers; an index works too.
 */
import { existsSync } from 'node:fs'
import type { MidiPort } from './port.ts'

/** No MIDI I/O is possible here (no subsystem, or the native package is missing). */
export class MidiUnavailableError extends Error {
  override readonly name = 'MidiUnavailableError'
}

/** The subset of node-midi's Input/Output we use. */
interface RtMidiIo {
  getPortCount(): number
  getPortName(i: number): string
  openPort(i: number): void
  openVirtualPort(name: string): void
  closePort(): void
}
interface RtMidiInput extends RtMidiIo {
  on(event: 'message', cb: (deltaTime: number, message: number[]) => void): void
  ignoreTypes(sysex: boolean, timing: boolean, activeSensing: boolean): void
}
interface RtMidiOutput extends RtMidiIo {
  sendMessage(message: number[]): void
}
/** What `midi` / `@julusian/midi` export. */
export interface RtMidiModule {
  Input: new () => RtMidiInput
  Output: new () => RtMidiOutput
}

/** Port listing and opening on the real MIDI subsystem. */
export interface MidiBackend {
  readonly package: string
  inputs(): string[]
  outputs(): string[]
  /** Open an input by name (substring) or index; undefined = the first port. */
  openInput(select?: string | number): MidiPort
  openOutput(select?: string | number): MidiPort
  /** Create a virtual port others can connect to (ALSA, CoreMIDI; not Windows). */
  virtualInput(name: string): MidiPort
  virtualOutput(name: string): MidiPort
}

/** How `loadMidiBackend` loads (replaceable to simulate other machines in tests). */
export interface LoadOptions {
  /** Try these packages in order (default `midi`, then `@julusian/midi`). */
  load?: () => Promise<RtMidiModule>
  /** Checked on Linux before loading (default /dev/snd/seq). */
  sequencerPath?: string
  platform?: NodeJS.Platform
}

/** Load the real backend, or throw MidiUnavailableError saying why MIDI is not possible here. */
export async function loadMidiBackend(o: LoadOptions = {}): Promise<MidiBackend> {
  const seq = o.sequencerPath ?? '/dev/snd/seq'
  if ((o.platform ?? process.platform) === 'linux' && !existsSync(seq)) {
    throw new MidiUnavailableError(
      `no MIDI subsystem on this machine: ${seq} does not exist, so the ALSA sequencer cannot be opened ` +
        '(typical in containers and on CI). MIDI ports cannot be used here; on a real machine load the snd-seq kernel module.',
    )
  }
  const { mod, name } = await loadPackage(o.load)
  return rtMidiBackend(mod, name)
}

async function loadPackage(load?: () => Promise<RtMidiModule>): Promise<{ mod: RtMidiModule; name: string }> {
  const attempts: Array<[string, () => Promise<unknown>]> = load
    ? [['custom loader', load]]
    : [['midi', () => import('midi' as string)], ['@julusian/midi', () => import('@julusian/midi' as string)]]
  const errors: string[] = []
  for (const [name, f] of attempts) {
    try {
      const m = (await f()) as RtMidiModule & { default?: RtMidiModule }
      const mod = m.Input ? m : m.default
      if (mod?.Input && mod.Output) return { mod, name }
      errors.push(`${name}: no Input/Output exports`)
    } catch (e) {
      errors.push(`${name}: ${String((e as Error)?.message ?? e).split('\n')[0]}`)
    }
  }
  throw new MidiUnavailableError(
    `MIDI needs the optional native npm package 'midi' or '@julusian/midi', and neither could be loaded (${errors.join('; ')}); ` +
      "install one (npm install @julusian/midi), or 'midi' with libasound2-dev and a C++ toolchain",
  )
}

/** Index of the port `select` names: a case-insensitive substring, or an index; first when undefined. */
export function selectPort(names: readonly string[], select: string | number | undefined, kind: string): number {
  const list = names.length ? names.map((n, i) => `${i}: ${n}`).join(', ') : 'none'
  if (select === undefined) {
    if (names.length === 0) throw new MidiUnavailableError(`no MIDI ${kind} ports (available: none)`)
    return 0
  }
  if (typeof select === 'number') {
    if (Number.isInteger(select) && select >= 0 && select < names.length) return select
    throw new Error(`no MIDI ${kind} port ${select} (available: ${list})`)
  }
  const i = names.findIndex((n) => n.toLowerCase().includes(select.toLowerCase()))
  if (i < 0) throw new Error(`no MIDI ${kind} port matching ${JSON.stringify(select)} (available: ${list})`)
  return i
}

function names(io: RtMidiIo): string[] {
  return Array.from({ length: io.getPortCount() }, (_, i) => io.getPortName(i))
}

function rtMidiBackend(mod: RtMidiModule, pkg: string): MidiBackend {
  const input = (open: (io: RtMidiInput) => string): MidiPort => {
    const io = new mod.Input()
    io.ignoreTypes(false, false, true) // keep SysEx and clock; active sensing is noise here
    const name = open(io)
    const listeners = new Set<(b: Uint8Array) => void>()
    io.on('message', (_dt, message) => {
      const b = Uint8Array.from(message)
      for (const l of listeners) l(b)
    })
    return {
      name,
      send: () => {
        throw new Error(`MIDI port ${name} is an input`)
      },
      onBytes: (cb) => (listeners.add(cb), () => listeners.delete(cb)),
      close: async () => {
        listeners.clear()
        io.closePort()
      },
    }
  }
  const output = (open: (io: RtMidiOutput) => string): MidiPort => {
    const io = new mod.Output()
    const name = open(io)
    return {
      name,
      send: (bytes) => io.sendMessage([...bytes]),
      onBytes: () => () => undefined,
      close: async () => io.closePort(),
    }
  }
  return {
    package: pkg,
    inputs: () => names(new mod.Input()),
    outputs: () => names(new mod.Output()),
    openInput: (select) =>
      input((io) => {
        const i = selectPort(names(io), select, 'input')
        io.openPort(i)
        return io.getPortName(i)
      }),
    openOutput: (select) =>
      output((io) => {
        const i = selectPort(names(io), select, 'output')
        io.openPort(i)
        return io.getPortName(i)
      }),
    virtualInput: (name) => input((io) => (io.openVirtualPort(name), name)),
    virtualOutput: (name) => output((io) => (io.openVirtualPort(name), name)),
  }
}
