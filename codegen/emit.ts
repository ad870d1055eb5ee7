/**
 * Runs every emitter and returns the generated files as text, keyed by path under generated/
 * ('/'-separated; the Arduino library lives in arduino/Clasp/...). Pure: it writes nothing,
 * so tests and `--check` can compare its output.
 */
import { IndentationText, Project, QuoteKind, type SourceFile } from 'ts-morph'
import { emitArduinoLibrary } from './arduino/library.ts'
import { emitCHeader } from './c/header.ts'
import { type SchemaModel, buildModel } from './model.ts'
import { schemaHash, stampLine } from './stamp.ts'
import { emitClient } from './ts/client.ts'
import { emitCodec } from './ts/codec.ts'
import { emitTypes } from './ts/types.ts'

type TsEmitter = (file: SourceFile, model: SchemaModel, hash: string) => void

const tsFiles: Array<[string, TsEmitter]> = [
  ['types.ts', emitTypes],
  ['codec.ts', emitCodec],
  ['client.ts', emitClient],
]

/** Generate all files for a model (the project schema unless another is given). */
export function generate(model: SchemaModel = buildModel()): Map<string, string> {
  const hash = schemaHash(model)
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single, useTrailingCommas: true },
  })
  const out = new Map<string, string>()
  for (const [name, emit] of tsFiles) {
    const file = project.createSourceFile(name, '', { overwrite: true })
    emit(file, model, hash)
    file.formatText({ indentSize: 2, convertTabsToSpaces: true, semicolons: 'remove' as never })
    out.set(name, `${stampLine(hash, 'ts')}\n/* eslint-disable */\n${file.getFullText()}`)
  }
  const claspH = `${stampLine(hash, 'c')}\n${emitCHeader(model, hash)}`
  out.set('clasp.h', claspH)
  for (const [name, text] of emitArduinoLibrary(model, hash, claspH)) out.set(name, text)
  return out
}
