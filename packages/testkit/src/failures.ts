/** Expecting a failure: the error's class, and what its message must say, in one call. */

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * Awaits `action`, which must reject with an instance of `type` whose message matches every pattern
 * (a string is matched as a substring); returns the error for further assertions.
 */
export async function expectFailure<E extends Error>(
  action: Promise<unknown> | (() => unknown),
  type: ErrorClass<E>,
  ...patterns: readonly (string | RegExp)[]
): Promise<E> {
  let outcome: { readonly error: unknown } | undefined;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    outcome = { error };
  }
  if (outcome === undefined) {
    throw new Error(`expected a failure of ${type.name}; the action succeeded`);
  }
  const { error } = outcome;
  if (!(error instanceof type)) {
    const got = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`expected a failure of ${type.name}; got ${got}`, { cause: error });
  }
  for (const pattern of patterns) {
    const matches =
      typeof pattern === 'string' ? error.message.includes(pattern) : pattern.test(error.message);
    if (!matches) {
      throw new Error(
        `expected the ${type.name} message to match ${String(pattern)}; it says: ${error.message}`,
        { cause: error },
      );
    }
  }
  return error;
}
