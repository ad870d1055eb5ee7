/** Placeholder until the C emitter lands: emits only the guard. */
import type { SchemaModel } from '../model.ts'
export function emitCHeader(_model: SchemaModel, hash: string): string {
  return `#ifndef CLASP_H\n#define CLASP_H\n#define CLASP_SCHEMA_HASH "${hash}"\n#endif\n`
}
