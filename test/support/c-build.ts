/**
 * Compile helpers for the C header tests: find compilers, build the host driver (with
 * AddressSanitizer/UBSan when the toolchain has them) into test/.build/ (git-ignored), and run a
 * whole batch of input lines through one driver process.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const buildDir = join(root, 'test', '.build')
export const generatedDir = join(root, 'generated')
export const cTestDir = join(root, 'test', 'c')

export interface RunResult {
  ok: boolean
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  command: string
}

/** Run a program to completion; never throws. */
export function run(cmd: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): RunResult {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env } })
  return {
    ok: r.status === 0 && !r.error,
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? String(r.error) : ''),
    command: [cmd, ...args].join(' '),
  }
}

/** Is a tool on PATH? */
export function hasTool(name: string): boolean {
  return run('sh', ['-c', `command -v ${name}`]).ok
}

export function ensureBuildDir(): string {
  mkdirSync(buildDir, { recursive: true })
  return buildDir
}

let sanitizers: string[] | undefined

/** -fsanitize flags if gcc can build and run a sanitized program here (some sandboxes cannot). */
export function sanitizerFlags(): string[] {
  if (sanitizers) return sanitizers
  const dir = ensureBuildDir()
  const src = join(dir, 'asan-probe.c')
  writeFileSync(src, 'int main(void) { return 0; }\n')
  const flags = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer']
  const exe = join(dir, 'asan-probe')
  const built = run('gcc', [...flags, src, '-o', exe])
  sanitizers = built.ok && run(exe, [], undefined, sanitizerEnv).ok ? flags : []
  return sanitizers
}

/** Leak checking needs ptrace, which containers often forbid; memory errors are what we want. */
export const sanitizerEnv = { ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1' }

export interface DriverOptions {
  /** Directory holding the clasp.h to test (default generated/). */
  includeDir?: string
  /** Output name under test/.build/. */
  name?: string
}

/**
 * Build test/c/driver.c against a clasp.h with the strictest C99 flags. The binary is reused while
 * the header, driver and flags are unchanged (its name carries their hash).
 */
export function buildDriver(opts: DriverOptions = {}): string {
  const includeDir = opts.includeDir ?? generatedDir
  const src = join(cTestDir, 'driver.c')
  const flags = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O1', '-g', ...sanitizerFlags()]
  const hash = createHash('sha256')
    .update(readFileSync(join(includeDir, 'clasp.h')))
    .update(readFileSync(src))
    .update(flags.join(' '))
    .digest('hex')
    .slice(0, 12)
  const exe = join(ensureBuildDir(), `${opts.name ?? 'clasp-driver'}-${hash}`)
  if (existsSync(exe)) return exe
  const r = run('gcc', [...flags, `-I${includeDir}`, src, '-o', exe])
  if (!r.ok) throw new Error(`driver build failed: ${r.command}\n${r.stderr}`)
  return exe
}

/**
 * Feed lines to the driver in one process and return its output lines. Throws if the process
 * crashes, exits non-zero, or does not answer every line with exactly one line.
 */
export function runDriver(exe: string, lines: string[]): string[] {
  for (const l of lines) if (l.includes('\n')) throw new Error('driver input lines must not contain newlines')
  const r = run(exe, [], lines.length ? lines.join('\n') + '\n' : '', sanitizerEnv)
  if (!r.ok) throw new Error(`driver failed (status ${r.status}, signal ${r.signal}):\n${r.stderr.slice(0, 4000)}`)
  const out = r.stdout.split('\n')
  if (out[out.length - 1] === '') out.pop()
  if (out.length !== lines.length) throw new Error(`driver answered ${out.length} lines for ${lines.length} inputs`)
  return out
}

/** Compile (and optionally link) one translation unit; returns the result without throwing. */
export function compileC(compiler: string, flags: string[], sources: string[], out: string, includeDir = generatedDir): RunResult {
  return run(compiler, [...flags, `-I${includeDir}`, ...sources, '-o', out])
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))
