/**
 * Builds for the firmware simulator and the size proof: the Arduino library's example sketches
 * compiled for the host (g++, sanitizers when they work here), for the ATmega328P (avr-gcc) and
 * for a Cortex-M4 (arm-none-eabi-gcc), each against its Arduino core shim. Outputs go to
 * firmware-sim/build/ (git-ignored) under a name carrying the hash of every input and flag, so
 * a build is reused until something it depends on changes, across test files and runs.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const simDir = dirname(fileURLToPath(import.meta.url))
export const root = join(simDir, '..')
export const buildDir = join(simDir, 'build')
export const libraryDir = join(root, 'generated', 'arduino', 'Clasp')

export const SKETCHES = ['SerialLedStrip', 'TcpSensor', 'EthernetSubscriber'] as const
export type Sketch = (typeof SKETCHES)[number]

export type Target = 'host' | 'avr' | 'arm'

/** The Debian packages that provide each toolchain, for skip and failure messages. */
export const PACKAGES: Record<Target | 'socat', string> = {
  host: 'g++',
  avr: 'gcc-avr avr-libc',
  arm: 'gcc-arm-none-eabi libnewlib-arm-none-eabi',
  socat: 'socat',
}

const COMPILER: Record<Target, string> = { host: 'g++', avr: 'avr-g++', arm: 'arm-none-eabi-g++' }

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

/** Why a target cannot be built here (a missing tool, naming its Debian packages), or undefined. */
export function missingToolchain(target: Target): string | undefined {
  const tools = target === 'host' ? ['g++'] : target === 'avr' ? ['avr-g++', 'avr-size'] : ['arm-none-eabi-g++', 'arm-none-eabi-size']
  const missing = tools.filter((t) => !hasTool(t))
  if (target === 'arm' && missing.length === 0 && !armHasNewlib()) missing.push('newlib-nano (nano.specs)')
  return missing.length ? `${missing.join(', ')} not found: install the Debian packages ${PACKAGES[target]}` : undefined
}

let newlib: boolean | undefined
function armHasNewlib(): boolean {
  newlib ??= spawnSync('arm-none-eabi-gcc', ['--specs=nano.specs', '-print-file-name=libc_nano.a'], { encoding: 'utf8' }).stdout.trim().includes('/')
  return newlib
}

/** Flags shared by every target: the Arduino IDE's C++ dialect, no exceptions. */
const CXX = ['-std=gnu++11', '-fno-exceptions', '-fno-threadsafe-statics', '-Wall', '-Wextra']

/** What Arduino's platform files pass, plus -flto as the AVR core has done since IDE 1.6.10. */
export const TARGET_FLAGS: Record<Target, string[]> = {
  host: ['-O1', '-g', '-Werror', '-DCLASP_SIM=1'],
  avr: ['-mmcu=atmega328p', '-DF_CPU=16000000L', '-DARDUINO=10819', '-DARDUINO_AVR_UNO', '-DARDUINO_ARCH_AVR', '-Os', '-ffunction-sections', '-fdata-sections', '-Wl,--gc-sections'],
  arm: ['-mcpu=cortex-m4', '-mthumb', '-Os', '-fno-rtti', '-ffunction-sections', '-fdata-sections', '--specs=nano.specs', '--specs=nosys.specs', '-Wl,--gc-sections'],
}

let sanitizers: string[] | undefined
/** ASan + UBSan for host builds when this machine can build and run them (some sandboxes cannot). */
export function sanitizerFlags(): string[] {
  if (sanitizers) return sanitizers
  mkdirSync(buildDir, { recursive: true })
  const src = join(buildDir, 'asan-probe.cpp')
  writeFileSync(src, 'int main() { return 0; }\n')
  const flags = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer']
  const exe = join(buildDir, 'asan-probe')
  const ok = spawnSync('g++', [...flags, src, '-o', exe]).status === 0 && spawnSync(exe, [], { env: { ...process.env, ...sanitizerEnv } }).status === 0
  sanitizers = ok ? flags : []
  return sanitizers
}

/** Leaks are not the point (a device never exits cleanly) and ptrace is often forbidden. */
export const sanitizerEnv = { ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1' }

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const full = join(dir, n)
    return statSync(full).isDirectory() ? filesUnder(full) : [full]
  })
}

function shimDirs(target: Target): string[] {
  return [join(simDir, `${target}-shim`), join(simDir, 'common')]
}

/** The sketch as the Arduino IDE compiles it: Arduino.h first, then the .ino as C++. */
function wrapper(sketch: Sketch): string {
  return `#include <Arduino.h>\n#include "${sketch}.ino"\n`
}

export interface BuildResult {
  /** The linked program (an ELF for avr/arm). */
  path: string
  /** The compiler command, for people who want to run it by hand. */
  command: string
}

/**
 * Compile and link once per distinct input: `name` plus a hash of the compiler, flags and every
 * source and header directory involved. Concurrent callers (parallel test files) wait on a lock
 * directory instead of compiling the same thing twice.
 */
function cachedBuild(name: string, compiler: string, flags: string[], sources: Array<{ file: string; text?: string }>, includeDirs: string[]): BuildResult {
  const h = createHash('sha256').update(compiler).update(flags.join('\0'))
  for (const s of sources) h.update(s.file).update(s.text ?? readFileSync(s.file))
  for (const d of includeDirs) for (const f of filesUnder(d)) h.update(f).update(readFileSync(f))
  const dir = join(buildDir, `${name}-${h.digest('hex').slice(0, 12)}`)
  const exe = join(dir, name)
  const args = [...flags, ...includeDirs.map((d) => `-I${d}`)]
  const files = sources.map((s) => (s.text === undefined ? s.file : join(dir, s.file)))
  const command = [compiler, ...args, ...files, '-o', exe].join(' ')
  if (existsSync(exe)) return { path: exe, command }
  mkdirSync(buildDir, { recursive: true })
  const lock = `${dir}.lock`
  const deadline = Date.now() + 180_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (existsSync(exe)) return { path: exe, command }
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true }) // a crashed builder's lock
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
    }
  }
  try {
    if (existsSync(exe)) return { path: exe, command }
    const tmp = `${dir}.tmp-${process.pid}`
    rmSync(tmp, { recursive: true, force: true })
    mkdirSync(tmp, { recursive: true })
    for (const s of sources) if (s.text !== undefined) writeFileSync(join(tmp, s.file), s.text)
    const tmpFiles = sources.map((s) => (s.text === undefined ? s.file : join(tmp, s.file)))
    const r = spawnSync(compiler, [...args, ...tmpFiles, '-o', join(tmp, name)], { encoding: 'utf8' })
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true })
      throw new Error(`build of ${name} failed:\n${command}\n${r.stderr}${r.error ?? ''}`)
    }
    rmSync(dir, { recursive: true, force: true })
    renameSync(tmp, dir)
    // Older builds of the same thing are stale now: keep build/ from growing with every edit.
    for (const old of readdirSync(buildDir)) {
      if (old !== `${name}-${dir.slice(-12)}` && new RegExp(`^${name}-[0-9a-f]{12}$`).test(old)) rmSync(join(buildDir, old), { recursive: true, force: true })
    }
    return { path: exe, command }
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

export interface SketchBuildOptions {
  /** Extra -D defines (the sketches keep their own CLASP_* values unless they use #ifndef). */
  defines?: Record<string, string | number>
  /** -flto, as the Arduino IDE builds for AVR. */
  lto?: boolean
}

/** One example sketch for one target: host = a simulated device; avr/arm = an ELF to measure. */
export function buildSketch(sketch: Sketch, target: Target = 'host', opts: SketchBuildOptions = {}): BuildResult {
  const defines = Object.entries(opts.defines ?? {}).map(([k, v]) => `-D${k}=${v}`)
  const flags = [...CXX, ...TARGET_FLAGS[target], ...(target === 'host' ? sanitizerFlags() : []), ...(opts.lto ? ['-flto'] : []), ...defines]
  const includes = [...shimDirs(target), join(libraryDir, 'src'), join(libraryDir, 'examples', sketch)]
  const shim = join(simDir, `${target}-shim`, `${target}.cpp`)
  const suffix = [target, opts.lto ? 'lto' : '', ...defines.map((d) => d.replace(/\W+/g, '_'))].filter(Boolean).join('-')
  return cachedBuild(`${sketch}-${suffix}`, COMPILER[target], flags, [{ file: `${sketch}-main.cpp`, text: wrapper(sketch) }, { file: shim }], includes)
}

/**
 * An empty sketch (setup and loop do nothing) on a target's shim: the floor that the C runtime
 * and the shim cost, to tell what the CLASP sketches add.
 */
export function buildBaseline(target: 'avr' | 'arm', opts: { lto?: boolean } = {}): BuildResult {
  const flags = [...CXX, ...TARGET_FLAGS[target], ...(opts.lto ? ['-flto'] : [])]
  const shim = join(simDir, `${target}-shim`, `${target}.cpp`)
  const text = '#include <Arduino.h>\nvoid setup() {}\nvoid loop() {}\n'
  return cachedBuild(`baseline-${target}${opts.lto ? '-lto' : ''}`, COMPILER[target], flags, [{ file: 'baseline.cpp', text }, { file: shim }], shimDirs(target))
}

/**
 * The library's clasp.h as the simulator compiles it (g++, C++), behind the C header tests'
 * line-per-frame batch driver (test/c/driver.c, C that is also valid C++): the same driver, so
 * both builds of the codec answer the same protocol.
 */
export function buildCodecBatch(): BuildResult {
  const flags = ['-std=gnu++11', '-Wall', '-Wextra', '-Werror', '-O1', '-g', ...sanitizerFlags(), '-x', 'c++']
  return cachedBuild('codec-batch', 'g++', flags, [{ file: join(root, 'test', 'c', 'driver.c') }], [join(libraryDir, 'src')])
}

export interface Size {
  /** Bytes of program memory: .text plus the .data initialisers stored with it. */
  flash: number
  /** Bytes of RAM reserved before main(): .data + .bss (the stack and heap come on top). */
  ram: number
  text: number
  data: number
  bss: number
}

/** Berkeley-format sizes of an ELF from avr-size / arm-none-eabi-size. */
export function measure(target: 'avr' | 'arm', elf: string): Size {
  const tool = target === 'avr' ? 'avr-size' : 'arm-none-eabi-size'
  const r = spawnSync(tool, [elf], { encoding: 'utf8' })
  const row = r.stdout.trim().split('\n')[1]?.trim().split(/\s+/).map(Number)
  if (r.status !== 0 || !row) throw new Error(`${tool} ${elf} failed: ${r.stderr}`)
  const [text, data, bss] = row
  return { text, data, bss, flash: text + data, ram: data + bss }
}
