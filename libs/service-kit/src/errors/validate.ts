// Message checks for edges that have no schema validation of their own (gRPC: proto3
// types say little about ranges, formats or required strings). The same TypeBox
// schema an HTTP route declares checks the gRPC message, with the same field names.
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValidationError } from './domain-errors.js';
import { fieldFromPointer } from './field-path.js';

export type Validate<T extends TSchema> = (value: unknown) => Static<T>;

/** Compiles once; the returned function returns the value typed, or throws ValidationError naming the field. */
export function createValidator<T extends TSchema>(schema: T): Validate<T> {
  const compiled = TypeCompiler.Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return value;
    const first = compiled.Errors(value).First();
    const field = first ? fieldFromPointer(first.path) || 'message' : 'message';
    throw new ValidationError(field, first?.message.toLowerCase() ?? 'is invalid');
  };
}
