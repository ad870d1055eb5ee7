/**
 * The C value codec, generated from the value-type table (schema/values.ts): one switch case per
 * type code, with a short template per data kind. Arrays and maps are never unpacked into
 * memory: decoding validates them with an iterative walk (one counter per open level, bounded by
 * CLASP_MAX_NESTING_DEPTH) and keeps the encoded span, which re-encodes bit-exactly.
 */
import type { ValueData, ValueTypeDef } from '../../schema/index.ts'
import type { SchemaModel } from '../model.ts'
import { valueMacro } from './names.ts'

const widths: Partial<Record<ValueData, number>> = { none: 0, bool: 1, i8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 }
const getter: Record<number, string> = { 1: 'clasp_get_u8', 2: 'clasp_get_u16', 4: 'clasp_get_u32', 8: 'clasp_get_u64' }

/** Statements that read the data of type `t` into `v` (cursor `c`, nesting `depth`). */
function decodeData(t: ValueTypeDef): string[] {
  switch (t.data) {
    case 'none': return []
    case 'bool': return ['v->as.b = clasp_get_u8(c) != 0;']
    case 'i8': case 'i16': case 'i32': case 'i64': {
      const bits = Number(t.data.slice(1))
      return [`v->as.i = clasp_sext(${getter[bits / 8]}(c), ${bits});`]
    }
    case 'f32': return ['v->as.f32 = clasp_get_u32(c);']
    case 'f64': return ['v->as.f64 = clasp_get_u64(c);']
    case 'str': case 'bytes': {
      const fn = t.data === 'str' ? 'clasp_get_str' : 'clasp_get_bytes'
      return ['{', '  clasp_str_t s;', `  ${fn}(c, &s, CLASP_MAX_VALUE_BYTES);`, '  v->ptr = s.ptr;', '  v->len = s.len;', '}']
    }
    case 'array': case 'map':
      return [`clasp_get_items(c, v, depth, ${t.data === 'map'});`]
  }
}

/** Statements that write the data of `v` (writer `w`). */
function encodeData(t: ValueTypeDef): string[] {
  switch (t.data) {
    case 'none': return []
    case 'bool': return ['clasp_put_u8(w, v->as.b ? 1 : 0);']
    case 'i8': case 'i16': case 'i32': return [`clasp_put_int(w, v->as.i, ${Number(t.data.slice(1))});`]
    case 'i64': return ['clasp_put_u64(w, (uint64_t)v->as.i);']
    case 'f32': return ['clasp_put_u32(w, v->as.f32);']
    case 'f64': return ['clasp_put_u64(w, v->as.f64);']
    case 'str': return ['clasp_put_str(w, clasp_value_text(v), CLASP_MAX_VALUE_BYTES);']
    case 'bytes': return ['clasp_put_bytes(w, clasp_value_text(v), CLASP_MAX_VALUE_BYTES);']
    case 'array': case 'map': return [`clasp_put_items(w, v, depth, ${t.data === 'map'});`]
  }
}

/** Statements of the iterative walker for one item of type `t` (cursor `c`, level `top`). */
function skipData(t: ValueTypeDef): string[] {
  const w = widths[t.data]
  if (w !== undefined) return w === 0 ? [] : [`(void)clasp_get_span(c, ${w});`]
  if (t.data === 'str' || t.data === 'bytes') {
    return [`${t.data === 'str' ? 'clasp_get_str' : 'clasp_get_bytes'}(c, &s, CLASP_MAX_VALUE_BYTES);`]
  }
  return [
    '/* A nested container: check its depth as the recursive decoders would, then open a level. */',
    'if ((unsigned)depth + 1u + top >= CLASP_MAX_NESTING_DEPTH) clasp_fail(c, CLASP_ERR_TOO_DEEP);',
    'n = clasp_get_u16(c);',
    'clasp_check_limit(c, n, CLASP_MAX_VALUE_ITEMS);',
    'if (n > 0 && !c->err) {',
    '  top++;',
    '  left[top] = n;',
    `  maps[top >> 3] = (uint8_t)(${t.data === 'map' ? 'maps[top >> 3] | (1u << (top & 7))' : 'maps[top >> 3] & ~(1u << (top & 7))'});`,
    '}',
  ]
}

const cases = (types: ValueTypeDef[], body: (t: ValueTypeDef) => string[], pad: string): string[] =>
  types.flatMap((t) => [`${pad}case ${valueMacro(t.name)}:`, ...body(t).map((l) => `${pad}  ${l}`), `${pad}  break;`])

const canonicalFor = (model: SchemaModel, kind: ValueTypeDef['model']): string => {
  const t = model.valueTypes.find((x) => x.canonical && x.model === kind)
  if (!t) throw new Error(`no canonical value type for ${kind}`)
  return valueMacro(t.name)
}

const codesOf = (model: SchemaModel, kind: ValueTypeDef['model']): string[] =>
  model.valueTypes.filter((t) => t.model === kind).map((t) => valueMacro(t.name))

export function valuePrototypes(model: SchemaModel): string {
  const c = (k: ValueTypeDef['model']) => canonicalFor(model, k)
  return `/* ---- Values ---------------------------------------------------------------------------- */

/** Read a type byte and the value data. Arrays/maps are validated and kept encoded. */
void clasp_get_value(clasp_cursor_t* c, clasp_value_t* v, uint8_t depth);
/** Read value data whose type code came from elsewhere (SET keeps it in its flags byte). */
void clasp_get_value_data(clasp_cursor_t* c, uint8_t type, clasp_value_t* v, uint8_t depth);
/** Skip one value (type byte + data), validating it, without recursion. */
void clasp_skip_value(clasp_cursor_t* c, uint8_t depth);
void clasp_put_value(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth);
void clasp_put_value_data(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth);

/** Iterate the items of an array value or the entries of a map value. */
void clasp_value_begin(const clasp_value_t* v, clasp_iter_t* it);
bool clasp_array_next(clasp_iter_t* it, clasp_value_t* item);
bool clasp_map_next(clasp_iter_t* it, clasp_str_t* key, clasp_value_t* item);

bool clasp_value_is_int(const clasp_value_t* v);
bool clasp_value_is_float(const clasp_value_t* v);
/** Integers as int64_t (bool as 0/1, anything else 0); the _sat variant clamps to int32_t. */
int64_t clasp_value_as_int64(const clasp_value_t* v);
int32_t clasp_value_as_int32_sat(const clasp_value_t* v);
/** Floats (and integers, converted); on AVR double is float, so f64 loses precision here only. */
double clasp_value_as_double(const clasp_value_t* v);
float clasp_value_as_float(const clasp_value_t* v);

/* Constructors. The encoder writes exactly v.type, so these pick Rust's codes: i64 and f64. */
static inline clasp_value_t clasp_value_of_type(uint8_t type) {
  clasp_value_t v;
  memset(&v, 0, sizeof v);
  v.type = type;
  return v;
}
static inline clasp_value_t clasp_value_null(void) { return clasp_value_of_type(${c('null')}); }
static inline clasp_value_t clasp_value_bool(bool b) {
  clasp_value_t v = clasp_value_of_type(${c('boolean')});
  v.as.b = b;
  return v;
}
static inline clasp_value_t clasp_value_int(int64_t i) {
  clasp_value_t v = clasp_value_of_type(${c('int')});
  v.as.i = i;
  return v;
}
static inline clasp_value_t clasp_value_f64_bits(clasp_f64_t bits) {
  clasp_value_t v = clasp_value_of_type(${c('float')});
  v.as.f64 = bits;
  return v;
}
static inline clasp_value_t clasp_value_double(double d) { return clasp_value_f64_bits(clasp_f64_from_double(d)); }
static inline clasp_value_t clasp_value_span(uint8_t type, const uint8_t* p, uint16_t len, uint16_t count) {
  clasp_value_t v = clasp_value_of_type(type);
  v.ptr = p;
  v.len = len;
  v.count = count;
  return v;
}
/** A string value (UTF-8, checked when encoding). */
static inline clasp_value_t clasp_value_string(clasp_str_t s) { return clasp_value_span(${c('string')}, s.ptr, s.len, 0); }
static inline clasp_value_t clasp_value_bytes(const uint8_t* p, uint16_t len) { return clasp_value_span(${c('bytes')}, p, len, 0); }
/** An array whose \`count\` items (type byte + data each, e.g. written with clasp_put_value) are at p. */
static inline clasp_value_t clasp_value_array(uint16_t count, const uint8_t* p, uint16_t len) { return clasp_value_span(${c('array')}, p, len, count); }
/** A map whose \`count\` entries (clasp_put_str key, then clasp_put_value) are at p. */
static inline clasp_value_t clasp_value_map(uint16_t count, const uint8_t* p, uint16_t len) { return clasp_value_span(${c('map')}, p, len, count); }
`
}

export function valueImplementation(model: SchemaModel): string {
  const types = model.valueTypes
  const isAny = (codes: string[]) => codes.map((x) => `v->type == ${x}`).join(' || ')
  const f32 = types.filter((t) => t.data === 'f32').map((t) => valueMacro(t.name))
  return `/* ---- Values ---------------------------------------------------------------------------- */

static void clasp_check_limit(clasp_cursor_t* c, size_t n, size_t max) {
  if (n > max) clasp_fail(c, CLASP_ERR_LIMIT);
}

/* Two's complement of the low \`bits\` bits, without implementation-defined casts. */
static int64_t clasp_sext(uint64_t u, unsigned bits) {
  uint64_t mask = bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << bits) - 1);
  u &= mask;
  if (u & ((uint64_t)1 << (bits - 1))) return -(int64_t)(~u & mask) - 1;
  return (int64_t)u;
}

static void clasp_put_int(clasp_writer_t* w, int64_t i, unsigned bits) {
  int64_t lim = (int64_t)1 << (bits - 1);
  uint8_t b[8];
  unsigned k, n = bits / 8;
  uint64_t u = (uint64_t)i;
  if (i < -lim || i >= lim) {
    clasp_wfail(w, CLASP_ERR_OUT_OF_RANGE);
    return;
  }
  for (k = 0; k < n; k++) b[k] = (uint8_t)(u >> (8 * (n - 1 - k)));
  clasp_put_raw(w, b, n);
}

static clasp_str_t clasp_value_text(const clasp_value_t* v) {
  clasp_str_t s;
  s.ptr = v->ptr;
  s.len = v->len;
  return s;
}

/* Walks \`count\` array items or map entries of a container at \`depth\` without recursion: one
 * counter per open level plus one "is a map" bit, so the cost in RAM is ~2 bytes per level. */
static void clasp_skip_items(clasp_cursor_t* c, uint16_t count, bool is_map, uint8_t depth) {
  uint16_t left[CLASP_MAX_NESTING_DEPTH];
  uint8_t maps[(CLASP_MAX_NESTING_DEPTH + 7) / 8];
  unsigned top = 0;
  clasp_str_t s;
  uint16_t n;
  memset(maps, 0, sizeof maps);
  left[0] = count;
  maps[0] = is_map ? 1 : 0;
  while (!c->err) {
    if (left[top] == 0) {
      if (top == 0) return;
      top--;
      continue;
    }
    left[top]--;
    if (maps[top >> 3] & (1u << (top & 7))) clasp_get_str(c, &s, CLASP_MAX_VALUE_KEY_BYTES);
    switch (clasp_get_u8(c)) {
${cases(types, skipData, '      ').join('\n')}
      default:
        clasp_fail(c, CLASP_ERR_UNKNOWN_VALUE_TYPE);
        break;
    }
  }
}

static void clasp_get_items(clasp_cursor_t* c, clasp_value_t* v, uint8_t depth, bool is_map) {
  if (depth >= CLASP_MAX_NESTING_DEPTH) clasp_fail(c, CLASP_ERR_TOO_DEEP);
  v->count = clasp_get_u16(c);
  clasp_check_limit(c, v->count, CLASP_MAX_VALUE_ITEMS);
  v->ptr = c->p;
  clasp_skip_items(c, v->count, is_map, depth);
  v->len = c->err ? 0 : (uint16_t)(c->p - v->ptr);
}

/* Encoding copies an array/map span verbatim, after checking that it parses as \`count\` items. */
static void clasp_put_items(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth, bool is_map) {
  clasp_cursor_t c;
  if (depth >= CLASP_MAX_NESTING_DEPTH) clasp_wfail(w, CLASP_ERR_TOO_DEEP);
  if (v->count > 0 && !v->ptr) clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
  clasp_cursor_init(&c, v->ptr, v->ptr ? v->len : 0);
  clasp_check_limit(&c, v->count, CLASP_MAX_VALUE_ITEMS);
  if (!c.err) clasp_skip_items(&c, v->count, is_map, depth);
  if (c.err == CLASP_ERR_LIMIT || c.err == CLASP_ERR_TOO_DEEP) clasp_wfail(w, (clasp_err_t)c.err);
  else if (c.err || c.left) clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
  clasp_put_u16(w, v->count);
  clasp_put_raw(w, v->ptr, v->len);
}

void clasp_get_value_data(clasp_cursor_t* c, uint8_t type, clasp_value_t* v, uint8_t depth) {
  const uint8_t* start = c->p;
  memset(v, 0, sizeof *v);
  v->type = type;
  switch (type) {
${cases(types, decodeData, '    ').join('\n')}
    default:
      clasp_fail(c, CLASP_ERR_UNKNOWN_VALUE_TYPE);
      break;
  }
  /* +1: the type byte (SET keeps it in its flags, but the bound is the same). */
  if (!c->err) clasp_check_limit(c, (size_t)(c->p - start) + 1, CLASP_MAX_VALUE_SIZE);
}

void clasp_get_value(clasp_cursor_t* c, clasp_value_t* v, uint8_t depth) {
  uint8_t type = clasp_get_u8(c);
  clasp_get_value_data(c, type, v, depth);
}

void clasp_skip_value(clasp_cursor_t* c, uint8_t depth) {
  clasp_value_t v;
  clasp_get_value(c, &v, depth);
}

void clasp_put_value_data(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth) {
  size_t start = w->len;
  switch (v->type) {
${cases(types, encodeData, '    ').join('\n')}
    default:
      clasp_wfail(w, CLASP_ERR_INVALID_VALUE);
      break;
  }
  if (!w->err && w->len - start + 1 > CLASP_MAX_VALUE_SIZE) clasp_wfail(w, CLASP_ERR_LIMIT);
}

void clasp_put_value(clasp_writer_t* w, const clasp_value_t* v, uint8_t depth) {
  clasp_put_u8(w, v->type);
  clasp_put_value_data(w, v, depth);
}

void clasp_value_begin(const clasp_value_t* v, clasp_iter_t* it) {
  bool container = v->type == ${canonicalFor(model, 'array')} || v->type == ${canonicalFor(model, 'map')};
  clasp_cursor_init(&it->c, v->ptr, container && v->ptr ? v->len : 0);
  it->left = container ? v->count : 0;
  it->depth = 1; /* items were validated at their real depth when the value was decoded */
  it->is_map = v->type == ${canonicalFor(model, 'map')};
}

bool clasp_array_next(clasp_iter_t* it, clasp_value_t* item) {
  if (it->left == 0 || it->c.err || it->is_map) return false;
  it->left--;
  clasp_get_value(&it->c, item, it->depth);
  return !it->c.err;
}

bool clasp_map_next(clasp_iter_t* it, clasp_str_t* key, clasp_value_t* item) {
  if (it->left == 0 || it->c.err || !it->is_map) return false;
  it->left--;
  clasp_get_str(&it->c, key, CLASP_MAX_VALUE_KEY_BYTES);
  clasp_get_value(&it->c, item, it->depth);
  return !it->c.err;
}

bool clasp_value_is_int(const clasp_value_t* v) { return ${isAny(codesOf(model, 'int'))}; }

bool clasp_value_is_float(const clasp_value_t* v) { return ${isAny(codesOf(model, 'float'))}; }

int64_t clasp_value_as_int64(const clasp_value_t* v) {
  if (clasp_value_is_int(v)) return v->as.i;
  if (v->type == ${canonicalFor(model, 'boolean')}) return v->as.b ? 1 : 0;
  return 0;
}

int32_t clasp_value_as_int32_sat(const clasp_value_t* v) {
  int64_t i = clasp_value_as_int64(v);
  if (i > 2147483647LL) return (int32_t)2147483647L;
  if (i < -2147483647LL - 1) return (int32_t)(-2147483647L - 1);
  return (int32_t)i;
}

float clasp_value_as_float(const clasp_value_t* v) {
  if (${f32.map((x) => `v->type == ${x}`).join(' || ')}) {
    float f;
    memcpy(&f, &v->as.f32, sizeof f);
    return f;
  }
  if (clasp_value_is_float(v)) return clasp_f64_to_float(v->as.f64);
  return (float)clasp_value_as_int64(v);
}

double clasp_value_as_double(const clasp_value_t* v) {
  if (clasp_value_is_float(v) && !(${f32.map((x) => `v->type == ${x}`).join(' || ')})) return clasp_f64_to_double(v->as.f64);
  if (clasp_value_is_float(v)) return (double)clasp_value_as_float(v);
  return (double)clasp_value_as_int64(v);
}
`
}
