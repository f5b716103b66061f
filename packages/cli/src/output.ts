/**
 * How the command prints: tables that fit 100 columns (the reason a user must act on gets a line of its
 * own, wrapped, never cut), human times (ISO UTC and relative), colour only on a terminal and never with
 * colour on a terminal only and never with NO_COLOR, JSON on stdout with `--json`, progress on stderr.
 */
import Table from 'cli-table3';
import pc from 'picocolors';

/** The width every table fits in. */
export const WIDTH = 100;

/**
 * Colour only on a terminal (or with FORCE_COLOR), never with NO_COLOR: picocolors alone also colours
 * whenever CI is set, which would put escape codes into piped output and the widths of every line.
 */
const colorEnabled =
  !('NO_COLOR' in process.env) && ('FORCE_COLOR' in process.env || process.stdout.isTTY === true);

export const colors = pc.createColors(colorEnabled);

/** Prints a value as JSON on stdout (the `--json` contract: one document per command). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A paragraph, wrapped within WIDTH (continuation lines indented by `indent`). */
export function say(text: string, indent = ''): void {
  println(
    wrap(text, WIDTH - indent.length)
      .map((line, i) => (i === 0 ? line : `${indent}${line}`))
      .join('\n'),
  );
}

/** Progress of something that waits: on stderr, so stdout stays the result. */
export function progress(line: string): void {
  process.stderr.write(`${colors.dim(line)}\n`);
}

/** `2026-11-29T22:50:12Z`. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `3 min`, `5.2 h`, `2.1 days`. */
export function duration(ms: number): string {
  const minutes = Math.abs(ms) / 60_000;
  if (minutes < 1) return `${Math.round(Math.abs(ms) / 1000)} s`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / 1440).toFixed(1)} days`;
}

/** A duration in a few characters, for table cells: `45s`, `51m`, `5.2h`, `2.1d`. */
export function compact(ms: number): string {
  const minutes = Math.abs(ms) / 60_000;
  if (minutes < 1) return `${Math.round(Math.abs(ms) / 1000)}s`;
  if (minutes < 120) return `${Math.round(minutes)}m`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)}h`;
  return `${(minutes / 1440).toFixed(1)}d`;
}

/** `51m ago`, `in 5.2h`: relative, for table cells. */
export function compactRelative(ms: number, now: number): string {
  const delta = ms - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta < 0 ? `${compact(delta)} ago` : `in ${compact(delta)}`;
}

/** `3 min ago`, `in 2.0 h`. */
export function relative(ms: number, now: number): string {
  const delta = ms - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta < 0 ? `${duration(delta)} ago` : `in ${duration(delta)}`;
}

/** `2026-11-29T22:50:12Z (3 min ago)`. */
export function when(ms: number | undefined, now: number): string {
  return ms === undefined ? '-' : `${isoUtc(ms)} (${relative(ms, now)})`;
}

/** A run or freshness state, coloured by what it asks of the reader. */
export function paintState(state: string): string {
  if (['FAILED', 'TIMED_OUT', 'stale', 'invalid'].includes(state)) return colors.red(state);
  if (['SKIPPED', 'grace', 'DISPATCHED', 'SNAPSHOT_REQUESTED', 'SNAPSHOT_READY', 'PRUNED'].includes(state))
    return colors.yellow(state);
  if (['COMPLETED', 'fresh'].includes(state)) return colors.green(state);
  return state;
}

export interface Column {
  readonly head: string;
  /** Characters, padding included. */
  readonly width: number;
}

/**
 * A borderless table of `columns` (their widths add up to at most WIDTH). Each row may carry notes: lines
 * spanning the whole width under it, wrapped, for the reason or error the reader must act on.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly { readonly cells: readonly string[]; readonly notes?: readonly string[] }[],
): string {
  const total = columns.reduce((sum, column) => sum + column.width, 0);
  const table = new Table({
    head: columns.map((column) => colors.bold(column.head)),
    colWidths: columns.map((column) => column.width),
    wordWrap: true,
    wrapOnWordBoundary: true,
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 1 },
  });
  for (const row of rows) {
    // Wrapped here, never cut: a word longer than its column (a long application name) is split.
    table.push(
      row.cells.map((cell, i) => ({
        content: wrap(cell, (columns[i]?.width ?? WIDTH) - 1, true).join('\n'),
        wordWrap: false,
      })),
    );
    for (const note of row.notes ?? []) {
      // Wrapped here, with a hanging indent, so a long reason stays whole and readable.
      const lines = wrap(note, total - 5).map((line, i) => (i === 0 ? `  ${line}` : `    ${line}`));
      table.push([{ colSpan: columns.length, content: lines.join('\n'), wordWrap: false }]);
    }
  }
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** `key: value` lines, keys aligned; values wrap under themselves within WIDTH. */
export function renderFields(fields: readonly (readonly [string, string | undefined])[]): string {
  const shown = fields.filter((field): field is [string, string] => field[1] !== undefined);
  const keyWidth = Math.max(0, ...shown.map(([key]) => key.length)) + 2;
  return shown
    .map(([key, value]) => {
      const lines = wrap(value, WIDTH - keyWidth);
      return lines
        .map((line, index) =>
          index === 0 ? `${`${key}:`.padEnd(keyWidth)}${line}` : `${' '.repeat(keyWidth)}${line}`,
        )
        .join('\n');
    })
    .join('\n');
}

/**
 * Wraps text at spaces to `width` columns; a word longer than that stays whole on its own line, or with
 * `split`, is cut into pieces of `width` (after a `/` where it has one).
 */
export function wrap(text: string, width: number, split = false): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    const words = paragraph.split(' ').flatMap((word) => (split ? pieces(word, width) : [word]));
    for (const word of words) {
      if (line.length > 0 && visibleLength(line) + 1 + visibleLength(word) > width) {
        out.push(line);
        line = word;
      } else line = line.length === 0 ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  return out;
}

/** A word in pieces of at most `width` visible characters, preferring to end a piece after a `/`. */
function pieces(word: string, width: number): string[] {
  if (visibleLength(word) <= width || word.includes('\u001b')) return [word];
  const out: string[] = [];
  let rest = word;
  while (rest.length > width) {
    const slash = rest.lastIndexOf('/', width - 1);
    const cut = slash > 0 ? slash + 1 : width;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour sequences start with ESC.
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}
