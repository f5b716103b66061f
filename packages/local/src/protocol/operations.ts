/**
 * The shape every service shares: its inputs (a zod schema per operation, in its inputs.ts), an
 * operation table (a typed handler per operation, in its operations.ts) and its outputs (outputs.ts).
 */
import type { z } from 'zod';
import { type InputErrorFactory, type ParseOptions, parseInput } from './input';
import type { QueryResult, ServiceContext } from './service';

/** Each operation's input schema, by operation name. */
export type InputSchemas = Readonly<Record<string, z.ZodType>>;

/** Each operation's output type, by operation name. */
export type OutputTypes<S extends InputSchemas> = { readonly [O in keyof S]: unknown };

/** A handler per operation: its parsed input in, its typed output out. */
export type OperationTable<S extends InputSchemas, Out extends OutputTypes<S>> = {
  readonly [O in keyof S]: (input: z.output<S[O]>, ctx: ServiceContext) => Out[O] | Promise<Out[O]>;
};

/** How a query service renders each operation's output: the inner XML of `<{Action}Result>`, or none. */
export type QueryRenderers<Out> = { readonly [O in keyof Out]: (output: Out[O]) => string | undefined };

/** Runs a query action on its input (the JSON shape of its parameters) and renders its output. */
export async function runQueryOperation<
  S extends InputSchemas,
  Out extends OutputTypes<S>,
  O extends keyof S,
>(
  schemas: S,
  table: OperationTable<S, Out>,
  renderers: QueryRenderers<Out>,
  operation: O,
  input: unknown,
  ctx: ServiceContext,
  toError: InputErrorFactory,
  options?: ParseOptions,
): Promise<QueryResult> {
  const output = await runOperation(schemas, table, operation, input, ctx, toError, options);
  return { resultXml: renderers[operation](output) };
}

/** Whether `name` is an operation of the service whose schemas these are. */
export function isOperation<S extends InputSchemas>(
  schemas: S,
  name: string,
): name is Extract<keyof S, string> {
  return Object.hasOwn(schemas, name);
}

/** Parses the input of `operation` with its schema, then runs its handler. */
export function runOperation<S extends InputSchemas, Out extends OutputTypes<S>, O extends keyof S>(
  schemas: S,
  table: OperationTable<S, Out>,
  operation: O,
  input: unknown,
  ctx: ServiceContext,
  toError: InputErrorFactory,
  options?: ParseOptions,
): Out[O] | Promise<Out[O]> {
  return table[operation](parseInput(schemas[operation], input, toError, options), ctx);
}
