/* generated from schema b348dff20a00e5de by codegen 1.0.0 — do not edit */
#ifndef CLASP_H
#define CLASP_H
#define CLASP_SCHEMA_HASH "b348dff20a00e5de"
#endif
