// JSON Schemas for HTTP bodies and query strings, derived from the proto request
// messages, so the HTTP edge checks the same contract gRPC decodes: the proto3 JSON
// mapping of the message (lowerCamelCase json names, enums by name, 64-bit integers
// as numbers or digit strings, Timestamps as RFC 3339 text), unknown fields refused.
//
// The messages come from the descriptor sets `buf build` wrote (the ones gRPC
// reflection serves), so the schema is the proto, not a copy of it. No field is
// required (proto3); the application still checks what must be present, and says so
// with a ValidationError naming the field.
//
// The schemas are plain draft-07 with every nested message inline (a depth guard
// stops recursive types), which both ajv and the OpenAPI document take as they are.
// `protoRouteValidator` compiles them the way the contract reads: bodies strictly
// (no coercion, unknown fields refused rather than silently dropped), query strings
// with their text coerced to the declared scalar types.
import { create, createFileRegistry, type DescEnum, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Ajv, type Options as AjvOptions, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { descriptorFiles } from './grpc-reflection.js';

export type JsonSchema = Record<string, unknown>;

export interface RequestSchemaOptions {
  /** Fields (json names) that travel elsewhere: path params (`planId`), headers (`idempotencyKey`). */
  omit?: readonly string[];
  /** Fields (json names) the route requires although proto3 makes none required. */
  required?: readonly string[];
}

/** Nested messages deeper than this become "any object": recursive types end somewhere. */
const MAX_DEPTH = 12;

// ─── Descriptors ────────────────────────────────────────────────────────────

type Registry = ReturnType<typeof createFileRegistry>;
let registry: Registry | undefined;

function messages(): Registry {
  if (registry) return registry;
  registry = createFileRegistry(create(FileDescriptorSetSchema, { file: [...descriptorFiles().values()] }));
  return registry;
}

function messageDesc(typeName: string): DescMessage {
  const desc = messages().getMessage(typeName.replace(/^\./, ''));
  if (!desc) throw new Error(`proto-json-schema: no message ${typeName} in the generated descriptor sets; run npm run proto:gen`);
  return desc;
}

// ─── Schemas ────────────────────────────────────────────────────────────────

const INT64 = '^-?[0-9]+$';
const UINT64 = '^[0-9]+$';

function scalarSchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', minimum: 0, maximum: 4294967295 };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { anyOf: [{ type: 'integer' }, { type: 'string', pattern: INT64 }] };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return {
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', pattern: UINT64 },
        ],
      };
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return { anyOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }] };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64', pattern: '^[A-Za-z0-9+/_-]*={0,2}$' };
    default:
      return type satisfies never;
  }
}

/** Enum values by name, as proto3 JSON writes them; their numbers too, as proto3 JSON parsers accept. */
function enumSchema(desc: DescEnum): JsonSchema {
  return { enum: [...desc.values.map((v) => v.name), ...desc.values.map((v) => v.number)] };
}

const WELL_KNOWN: Record<string, JsonSchema> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  'google.protobuf.Duration': { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]{1,9})?s$' },
  'google.protobuf.FieldMask': { type: 'string' },
  'google.protobuf.Struct': { type: 'object' },
  'google.protobuf.Value': {},
  'google.protobuf.ListValue': { type: 'array' },
  'google.protobuf.Empty': { type: 'object', additionalProperties: false },
  'google.protobuf.Any': { type: 'object', properties: { '@type': { type: 'string' } }, required: ['@type'] },
  'google.protobuf.DoubleValue': scalarSchema(ScalarType.DOUBLE),
  'google.protobuf.FloatValue': scalarSchema(ScalarType.FLOAT),
  'google.protobuf.Int64Value': scalarSchema(ScalarType.INT64),
  'google.protobuf.UInt64Value': scalarSchema(ScalarType.UINT64),
  'google.protobuf.Int32Value': scalarSchema(ScalarType.INT32),
  'google.protobuf.UInt32Value': scalarSchema(ScalarType.UINT32),
  'google.protobuf.BoolValue': scalarSchema(ScalarType.BOOL),
  'google.protobuf.StringValue': scalarSchema(ScalarType.STRING),
  'google.protobuf.BytesValue': scalarSchema(ScalarType.BYTES),
};

function messageSchema(desc: DescMessage, depth: number, options: RequestSchemaOptions = {}): JsonSchema {
  const known = WELL_KNOWN[desc.typeName];
  if (known) return known;
  if (depth > MAX_DEPTH) return { type: 'object', description: desc.typeName };
  const omit = new Set(options.omit ?? []);
  const properties: Record<string, JsonSchema> = {};
  for (const field of desc.fields) {
    if (!omit.has(field.jsonName)) properties[field.jsonName] = fieldSchema(field, depth);
  }
  const schema: JsonSchema = { type: 'object', title: desc.name, properties, additionalProperties: false };
  const required = (options.required ?? []).filter((name) => name in properties);
  if (required.length) schema.required = required;
  return schema;
}

function fieldSchema(field: DescField, depth: number): JsonSchema {
  const described = (schema: JsonSchema): JsonSchema => (field.oneof ? { ...schema, description: `one of ${field.oneof.name}` } : schema);
  switch (field.fieldKind) {
    case 'scalar':
      return described(scalarSchema(field.scalar));
    case 'enum':
      return described(enumSchema(field.enum));
    case 'message':
      return described(messageSchema(field.message, depth + 1));
    case 'list':
      return {
        type: 'array',
        items:
          field.listKind === 'scalar'
            ? scalarSchema(field.scalar)
            : field.listKind === 'enum'
              ? enumSchema(field.enum)
              : messageSchema(field.message, depth + 1),
      };
    case 'map': {
      const value =
        field.mapKind === 'scalar'
          ? scalarSchema(field.scalar)
          : field.mapKind === 'enum'
            ? enumSchema(field.enum)
            : messageSchema(field.message, depth + 1);
      const keys =
        field.mapKey === ScalarType.STRING
          ? {}
          : field.mapKey === ScalarType.BOOL
            ? { propertyNames: { enum: ['true', 'false'] } }
            : { propertyNames: { pattern: INT64 } };
      return { type: 'object', ...keys, additionalProperties: value };
    }
    default:
      return field satisfies never;
  }
}

const bodyCache = new Map<string, JsonSchema>();

/**
 * The JSON Schema of a request message's proto3 JSON (`wenming.plansubmission.v1.DraftPlanRequest`),
 * without the `omit`ted fields. Cached per type name and options; do not mutate the result.
 */
export function requestSchema(typeName: string, options: RequestSchemaOptions = {}): JsonSchema {
  const key = `${typeName}|${[...(options.omit ?? [])].sort()}|${[...(options.required ?? [])].sort()}`;
  let schema = bodyCache.get(key);
  if (!schema) {
    schema = messageSchema(messageDesc(typeName), 0, options);
    bodyCache.set(key, schema);
  }
  return schema;
}

// ─── Query strings ──────────────────────────────────────────────────────────
//
// A query string is flat text: a scalar, enum or repeated scalar field is a parameter
// by its json name (repeated ones by repeating the key), and a nested message's own
// scalar fields are parameters by their own names (`page.pageSize` → `pageSize`,
// `dates.startDate` → `startDate`), or `field.sub` where two would clash. Deeper
// messages and maps have no query form and are left out.

interface QueryParam {
  /** Where the value goes in the request message's JSON. */
  path: [string] | [string, string];
  schema: JsonSchema;
  /** An enum (or repeated enum) parameter's enum: its numbers are said by name in the request. */
  enum?: DescEnum;
}

/** A query string is text: an enum parameter takes its names and its numbers, written as digits (`?status=2`). */
function queryEnumSchema(desc: DescEnum): JsonSchema {
  const numbers = desc.values.map((v) => v.number);
  return { enum: [...desc.values.map((v) => v.name), ...numbers.map(String), ...numbers] };
}

/** The enum a query parameter carries, if any. */
function enumOf(field: DescField): DescEnum | undefined {
  return field.fieldKind === 'enum' ? field.enum : field.fieldKind === 'list' && field.listKind === 'enum' ? field.enum : undefined;
}

/** An enum value by name: `2` or `'2'` becomes the name of value 2, as the application compares names. */
function enumName(desc: DescEnum, value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  if (typeof value === 'string' && !/^-?[0-9]+$/.test(value)) return value;
  return desc.values.find((v) => v.number === Number(value))?.name ?? value;
}

interface QueryBinding {
  schema: JsonSchema;
  params: Map<string, QueryParam>;
}

function flatSchema(field: DescField): JsonSchema | undefined {
  if (field.fieldKind === 'scalar') return scalarSchema(field.scalar);
  if (field.fieldKind === 'enum') return queryEnumSchema(field.enum);
  if (field.fieldKind === 'list' && field.listKind === 'scalar') return { type: 'array', items: scalarSchema(field.scalar) };
  if (field.fieldKind === 'list' && field.listKind === 'enum') return { type: 'array', items: queryEnumSchema(field.enum) };
  if (field.fieldKind === 'message' && WELL_KNOWN[field.message.typeName]?.type === 'string') return WELL_KNOWN[field.message.typeName];
  return undefined;
}

const queryCache = new Map<string, QueryBinding>();

function queryBinding(typeName: string, options: RequestSchemaOptions): QueryBinding {
  const key = `${typeName}|${[...(options.omit ?? [])].sort()}|${[...(options.required ?? [])].sort()}`;
  const cached = queryCache.get(key);
  if (cached) return cached;
  const omit = new Set(options.omit ?? []);
  const params = new Map<string, QueryParam>();
  const nested: Array<{ parent: string; name: string; schema: JsonSchema; enum?: DescEnum }> = [];
  const withEnum = (field: DescField) => {
    const desc = enumOf(field);
    return desc ? { enum: desc } : {};
  };
  for (const field of messageDesc(typeName).fields) {
    if (omit.has(field.jsonName)) continue;
    const flat = flatSchema(field);
    if (flat) params.set(field.jsonName, { path: [field.jsonName], schema: flat, ...withEnum(field) });
    else if (field.fieldKind === 'message' && !WELL_KNOWN[field.message.typeName]) {
      for (const sub of field.message.fields) {
        const schema = sub.fieldKind === 'list' ? undefined : flatSchema(sub);
        if (schema) nested.push({ parent: field.jsonName, name: sub.jsonName, schema, ...withEnum(sub) });
      }
    }
  }
  const clashes = new Set(
    nested.filter((n, i) => params.has(n.name) || nested.findIndex((m) => m.name === n.name) !== i).map((n) => n.name),
  );
  for (const n of nested) {
    params.set(clashes.has(n.name) ? `${n.parent}.${n.name}` : n.name, {
      path: [n.parent, n.name],
      schema: n.schema,
      ...(n.enum ? { enum: n.enum } : {}),
    });
  }
  const properties = Object.fromEntries([...params].map(([name, p]) => [name, p.schema]));
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  const required = (options.required ?? []).filter((name) => name in properties);
  if (required.length) schema.required = required;
  const binding = { schema, params };
  queryCache.set(key, binding);
  return binding;
}

/** The JSON Schema of a request message as query parameters (see above), without the `omit`ted fields. Cached. */
export function querySchema(typeName: string, options: RequestSchemaOptions = {}): JsonSchema {
  return queryBinding(typeName, options).schema;
}

/** A validated query string back into the request message's JSON: nested parameters under their message field. */
export function queryToRequest(
  typeName: string,
  query: Record<string, unknown>,
  options: RequestSchemaOptions = {},
): Record<string, unknown> {
  const { params } = queryBinding(typeName, options);
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query ?? {})) {
    const param = params.get(name);
    const path = param?.path ?? [name];
    const desc = param?.enum;
    // An enum's number (proto3 JSON allows it) is said by name, once, here at the edge.
    const value = desc ? (Array.isArray(raw) ? raw.map((v) => enumName(desc, v)) : enumName(desc, raw)) : raw;
    if (path.length === 1) out[path[0]] = value;
    else out[path[0]] = { ...(out[path[0]] as Record<string, unknown> | undefined), [path[1]]: value };
  }
  return out;
}

// ─── Validation ─────────────────────────────────────────────────────────────

function ajv(options: AjvOptions): Ajv {
  const instance = new Ajv({ useDefaults: true, allErrors: false, strict: false, ...options });
  // CommonJS: the plugin is the module's `default` under NodeNext typing and at run time alike.
  ajvFormats.default(instance);
  return instance;
}

let compilers: Record<'strict' | 'coercing', Ajv> | undefined;

/** Violations a refused request lists at most (MAX_VIOLATIONS of ./errors). */
const MAX_SCHEMA_VIOLATIONS = 50;

/**
 * A fastify route `validatorCompiler` for schemas derived from the proto: the body as
 * proto3 JSON parsers read it (no type coercion; an unknown field is an error, where
 * fastify's default would drop it silently), query strings, params and headers with
 * their text coerced to the declared types (`?pageSize=10`, `?openOnly=true`,
 * a single `?statuses=X` as a list), and likewise unknown parameters refused.
 *
 * A refused request lists every wrong field at once (up to MAX_SCHEMA_VIOLATIONS), so
 * a caller fixes it in one round trip. Not with ajv's allErrors: on a hostile body
 * (a 1 MiB array of wrong items) that builds hundreds of thousands of errors, seconds
 * and hundreds of MB. The valid path stays ajv's fail-fast check; only a refused
 * request is walked again, field by field, each field by a fail-fast check of its own,
 * stopping at the cap.
 */
export const protoRouteValidator: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
  compilers ??= {
    strict: ajv({ coerceTypes: false, removeAdditional: false }),
    coercing: ajv({ coerceTypes: 'array', removeAdditional: false }),
  };
  const compiler = httpPart === 'body' ? compilers.strict : compilers.coercing;
  const validate = compiler.compile(schema);
  // An ajv-like function (boolean, with .errors) is what fastify's own compiler returns.
  const check = (data: unknown): boolean => {
    if (validate(data)) {
      check.errors = null;
      return true;
    }
    const errors: ErrorObject[] = [];
    collectViolations(compiler, schema, data, '', errors);
    check.errors = errors.length > 0 ? errors : (validate.errors ?? []);
    return false;
  };
  check.errors = null as ErrorObject[] | null;
  return check;
};

const subValidators = new WeakMap<Ajv, WeakMap<JsonSchema, ValidateFunction>>();

function subValidator(compiler: Ajv, schema: JsonSchema): ValidateFunction {
  let cache = subValidators.get(compiler);
  if (!cache) {
    cache = new WeakMap();
    subValidators.set(compiler, cache);
  }
  let validate = cache.get(schema);
  if (!validate) {
    validate = compiler.compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const pointer = (base: string, key: string | number): string => `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * The first violation of every field of `value` against `schema`, in document order,
 * into `out` (ajv's error shape, paths from the root), at most MAX_SCHEMA_VIOLATIONS.
 * Descends objects by property and arrays by item; anything else (a scalar, an anyOf,
 * a value of the wrong type) is one fail-fast check. Linear in the size of the value.
 */
function collectViolations(compiler: Ajv, schema: JsonSchema, value: unknown, path: string, out: ErrorObject[]): void {
  if (out.length >= MAX_SCHEMA_VIOLATIONS) return;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const additional = schema.additionalProperties as JsonSchema | boolean | undefined;
  const items = schema.items as JsonSchema | undefined;
  if (schema.type === 'object' && isPlainObject(value) && (properties !== undefined || isPlainObject(additional))) {
    for (const name of (schema.required as string[] | undefined) ?? []) {
      if (out.length >= MAX_SCHEMA_VIOLATIONS) return;
      if (!Object.hasOwn(value, name))
        out.push(schemaError(path, 'required', { missingProperty: name }, `must have required property '${name}'`));
    }
    for (const [key, item] of Object.entries(value)) {
      if (out.length >= MAX_SCHEMA_VIOLATIONS) return;
      // Own properties only: `constructor` or `__proto__` in a body is a field name, not Object's.
      const own = properties !== undefined && Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (own) collectViolations(compiler, own, item, pointer(path, key), out);
      else if (additional === false)
        out.push(schemaError(path, 'additionalProperties', { additionalProperty: key }, 'must NOT have additional properties'));
      else if (isPlainObject(additional)) {
        const keyCheck = schema.propertyNames as JsonSchema | undefined;
        if (keyCheck && !subValidator(compiler, keyCheck)(key)) {
          out.push(schemaError(pointer(path, key), 'propertyNames', { propertyName: key }, 'is not a valid key'));
        } else collectViolations(compiler, additional, item, pointer(path, key), out);
      }
    }
    return;
  }
  if (schema.type === 'array' && Array.isArray(value) && items !== undefined) {
    for (const [index, item] of value.entries()) {
      if (out.length >= MAX_SCHEMA_VIOLATIONS) return;
      collectViolations(compiler, items, item, pointer(path, index), out);
    }
    return;
  }
  const validate = subValidator(compiler, schema);
  if (validate(value)) return;
  const first = validate.errors?.[0];
  if (first) out.push({ ...first, instancePath: `${path}${first.instancePath}` });
}

function schemaError(instancePath: string, keyword: string, params: Record<string, unknown>, message: string): ErrorObject {
  return { instancePath, keyword, params, message, schemaPath: `#/${keyword}` };
}
