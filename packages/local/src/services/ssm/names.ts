/**
 * Parameter names and paths as SSM reads them: `a` and `/a` are one parameter; names beginning with
 * "aws" or "ssm" cannot be created (PutParameter: "can't be prefixed with aws or ssm
 * (case-insensitive)"), but AWS serves its public parameters under `/aws/` to every reader.
 */
import { ssmErrors } from './errors';

/** AWS reserves part of the 2,048 characters of a name; 1,011 are left to the caller. */
const MAX_NAME_LENGTH = 1011;
const MAX_HIERARCHY_LEVELS = 15;

/** Reading or writing a name: only reads may name AWS's public parameters. */
export type Access = 'read' | 'write';

/** The identity of a parameter: `a` and `/a` are one parameter (they share an ARN). */
export function parameterKey(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** A name under `/aws/`, where AWS keeps its public parameters. */
export function isPublicName(name: string): boolean {
  return /^\/aws(\/|$)/.test(name);
}

/** Whether SSM takes `name` as a parameter name for this access. */
export function validName(name: string, access: Access): boolean {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) return false;
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(trimmed)) return false;
  if (trimmed.includes('/') && !trimmed.startsWith('/')) return false;
  if (trimmed.endsWith('/') || trimmed.includes('//')) return false;
  if (access === 'read' && isPublicName(trimmed)) return true;
  return !/^\/?(aws|ssm)/i.test(trimmed);
}

/** Whether SSM takes `path` as a hierarchy path (`/`, or a name-like path) for this access. */
export function validPath(path: string, access: Access): boolean {
  return path === '/' || (path.startsWith('/') && validName(path.replace(/\/+$/, ''), access));
}

/** Throws AWS's errors for a malformed name or a too deep hierarchy. */
export function checkName(name: string, access: Access): void {
  if (!validName(name, access)) throw ssmErrors.invalidName(name);
  const levels = name.split('/').filter((segment) => segment !== '').length;
  if (levels > MAX_HIERARCHY_LEVELS) throw ssmErrors.hierarchyTooDeep(name, levels, MAX_HIERARCHY_LEVELS);
}

/** `name` or `name:version`, as GetParameter takes it. */
export function parseSelector(raw: string): { name: string; version: number | undefined } {
  const trimmed = raw.trim();
  const colon = trimmed.lastIndexOf(':');
  const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
  const selector = colon === -1 ? undefined : trimmed.slice(colon + 1);
  checkName(name, 'read');
  if (selector === undefined) return { name, version: undefined };
  if (!/^[1-9][0-9]*$/.test(selector)) throw ssmErrors.labelNotFound(name, selector);
  return { name, version: Number(selector) };
}

/** The scan prefix of a path: its children's keys start with it. */
export function pathPrefix(path: string): string {
  return path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`;
}
