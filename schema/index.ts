/**
 * The single source of truth for the CLASP wire format. `codegen/` reads this module and writes
 * `generated/`; nothing else describes byte layout.
 */
export * from './enums.ts'
export * from './frame.ts'
export * from './limits.ts'
export * from './messages.ts'
export * from './values.ts'
export * from './wire.ts'

/** Bumped when the schema changes in a way that breaks generated C or TS callers. */
export const SCHEMA_VERSION = 1
