/**
 * `config validate|get|put|list`: the dispatcher's parser and messages (core's judgeParameter), so what
 * the command accepts is what the dispatcher runs, and what it refuses the dispatcher would refuse.
 */
import { readFile } from 'node:fs/promises';
import {
  type AppConfig,
  type AppConfigResult,
  admitConfigs,
  configParameterName,
  configPathPrefix,
  describeSchedule,
  formatIssue,
  judgeApplicationConfig,
  type Provenance,
  parseAppConfig,
  readAdmission,
  scheduledApp,
  upcomingSlots,
} from '@flink-snapshots/core';
import { PIPELINE } from '@flink-snapshots/settings';
import { type AppRef, parameterOf, parseAppRef } from '../app-key';
import type { GlobalOptions, Stage } from '../context';
import { CliError, ExitCode } from '../errors';
import { colors, printJson, println, renderTable } from '../output';

/** What judging a given value returns: always a result (the value stands in for a missing parameter). */
type Judged = NonNullable<Awaited<ReturnType<typeof judgeApplicationConfig>>>;

/** The text of FILE, or of stdin for `-` or no FILE. */
export async function readInput(file: string | undefined): Promise<{ text: string; source: string }> {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) {
      throw new CliError(
        'No configuration given: pass a FILE, or pipe the JSON into stdin (`-`)',
        ExitCode.USAGE,
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { text: Buffer.concat(chunks).toString('utf8'), source: 'stdin' };
  }
  try {
    return { text: await readFile(file, 'utf8'), source: file };
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, ExitCode.NOT_FOUND_OR_INVALID, {
      cause: error,
    });
  }
}

/** The next runs of a valid configuration, for the reader to check the schedule says what they meant. */
function nextRuns(config: AppConfig, now: number, tickMinutes: number) {
  return upcomingSlots(scheduledApp(config), now, 5, tickMinutes).map((slot) => ({
    slot: slot.utc,
    local: slot.timeZone === 'UTC' ? undefined : `${slot.local} (${slot.timeZone})`,
    runsAt: slot.runsAt === undefined ? undefined : new Date(slot.runsAt).toISOString(),
    blackout: slot.blackout?.name,
  }));
}

function printProblems(parameter: string, result: Extract<AppConfigResult, { ok: false }>): void {
  println(`${colors.red('invalid')} ${parameter}`);
  for (const issue of result.error.issues) println(`  - ${formatIssue(issue)}`);
}

export interface ValidateOptions {
  readonly app?: string;
}

/**
 * Validates a document. With `--app`, as that application on the stage (stage defaults, tenant registry,
 * caps, placement: needs AWS); without, the document alone, offline, with the stack's tick.
 */
export async function validateCommand(
  global: GlobalOptions,
  openStage: () => Promise<Stage>,
  file: string | undefined,
  options: ValidateOptions,
): Promise<void> {
  const { text } = await readInput(file);
  const now = global.now ?? Date.now();
  let result: AppConfigResult;
  let parameter: string;
  let tickMinutes: number = PIPELINE.tickMinutes;
  if (options.app !== undefined) {
    const ref = parseAppRef(options.app);
    const stage = await openStage();
    parameter = parameterOf(stage.descriptor.stage, ref);
    tickMinutes = stage.descriptor.tickMinutes;
    result = ((await judgeApplicationConfig(stage.deps, stage.settings, ref, text)) as Judged).result;
  } else {
    parameter = configParameterName(global.stage, 'tenant', 'application');
    result = parseAppConfig(parameter, text, { stage: global.stage, tickMinutes }, 'String');
  }
  const runs = result.ok ? nextRuns(result.config, now, tickMinutes) : [];
  const schedule = result.ok ? describeSchedule(scheduledApp(result.config), tickMinutes) : undefined;
  if (global.json) {
    printJson(
      result.ok
        ? {
            valid: true,
            parameter,
            config: result.config,
            provenance: result.provenance,
            schedule,
            nextRuns: runs,
          }
        : {
            valid: false,
            parameter,
            problems: result.error.issues.map(formatIssue),
            issues: result.error.issues,
          },
    );
  } else if (result.ok) {
    println(`${colors.green('valid')}${options.app === undefined ? '' : ` as ${parameter}`}`);
    if (schedule !== undefined) println(`Schedule: ${schedule}`);
    println('Next runs:');
    for (const run of runs) {
      println(
        `  ${run.slot}${run.local === undefined ? '' : ` = ${run.local}`}${run.blackout === undefined ? '' : `  (blackout ${run.blackout}${run.runsAt === undefined ? ': skipped' : `: runs at ${run.runsAt}`})`}`,
      );
    }
  } else {
    printProblems(parameter, result);
  }
  if (!result.ok) {
    throw new CliError(`${result.error.issues.length} problem(s) found`, ExitCode.NOT_FOUND_OR_INVALID, {
      details: [],
    });
  }
}

/** One change between two JSON documents, by dotted path. */
export interface Change {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [key, field] of Object.entries(value))
      flatten(field, path === '' ? key : `${path}.${key}`, out);
  } else out.set(path === '' ? '(document)' : path, value);
}

/** The fields that differ between two JSON texts (a text that is not JSON counts as one value). */
export function diffDocuments(before: string | undefined, after: string): Change[] {
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  if (before !== undefined) flatten(parse(before), '', a);
  flatten(parse(after), '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: Change[] = [];
  for (const path of paths) {
    const was = a.get(path);
    const is = b.get(path);
    if (JSON.stringify(was) === JSON.stringify(is)) continue;
    changes.push({ path, ...(a.has(path) ? { before: was } : {}), ...(b.has(path) ? { after: is } : {}) });
  }
  return changes;
}

function printChanges(changes: readonly Change[]): void {
  if (changes.length === 0) {
    println('No change.');
    return;
  }
  for (const change of changes) {
    if (!('before' in change)) println(colors.green(`+ ${change.path}: ${JSON.stringify(change.after)}`));
    else if (!('after' in change)) println(colors.red(`- ${change.path}: ${JSON.stringify(change.before)}`));
    else
      println(
        colors.yellow(`~ ${change.path}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`),
      );
  }
}

/** Validates as the dispatcher would, shows what changes, and writes only a valid document. */
export async function putCommand(
  stage: Stage,
  app: string,
  file: string | undefined,
  options: { readonly dryRun?: boolean },
): Promise<void> {
  const ref = parseAppRef(app);
  const { text } = await readInput(file);
  const parameter = parameterOf(stage.descriptor.stage, ref);
  const { stored: current, result } = (await judgeApplicationConfig(
    stage.deps,
    stage.settings,
    ref,
    text,
  )) as Judged;
  if (!result.ok) {
    if (stage.options.json) {
      printJson({ parameter, written: false, valid: false, problems: result.error.issues.map(formatIssue) });
    } else {
      printProblems(parameter, result);
      println('Nothing was written.');
    }
    throw new CliError(
      `${parameter} not written: the configuration is invalid`,
      ExitCode.NOT_FOUND_OR_INVALID,
    );
  }
  const changes = diffDocuments(current?.value, text);
  const write = !options.dryRun && (current === undefined || current.value !== text);
  const version = write ? await stage.configs.put(parameter, text) : current?.version;
  if (stage.options.json) {
    printJson({ parameter, written: write, valid: true, created: current === undefined, version, changes });
    return;
  }
  println(`${current === undefined ? 'New parameter' : 'Changes to'} ${parameter}:`);
  printChanges(changes);
  if (options.dryRun) println('Dry run: nothing was written.');
  else if (write) println(`Written: version ${version}.`);
  else println('The parameter already holds this value: nothing was written.');
}

/** The raw parameter, or the effective configuration with where each field came from. */
export async function getCommand(
  stage: Stage,
  app: string,
  options: { readonly effective?: boolean },
): Promise<void> {
  const ref: AppRef = parseAppRef(app);
  const parameter = parameterOf(stage.descriptor.stage, ref);
  const judged = await judgeApplicationConfig(stage.deps, stage.settings, ref);
  const current = judged?.stored;
  if (judged === undefined || current === undefined) {
    throw new CliError(
      `No parameter ${parameter}: ${ref.appKey} is not configured on stage ${stage.descriptor.stage}`,
      ExitCode.NOT_FOUND_OR_INVALID,
    );
  }
  if (!options.effective) {
    if (stage.options.json) printJson({ parameter, version: current.version, value: parseOr(current.value) });
    else println(prettyJson(current.value));
    return;
  }
  const { result } = judged;
  if (!result.ok) {
    if (stage.options.json)
      printJson({ parameter, valid: false, problems: result.error.issues.map(formatIssue) });
    else printProblems(parameter, result);
    throw new CliError(`${parameter} is invalid`, ExitCode.NOT_FOUND_OR_INVALID);
  }
  if (stage.options.json) {
    printJson({
      parameter,
      version: current.version,
      valid: true,
      config: result.config,
      provenance: result.provenance,
    });
    return;
  }
  println(renderEffective(result.config, result.provenance));
}

function renderEffective(config: AppConfig, provenance: Provenance): string {
  const flat = new Map<string, unknown>();
  const { parameter: _p, tenant: _t, appKey: _k, ...document } = config;
  flatten(document, '', flat);
  const rows = [...flat].map(([path, value]) => {
    const source = provenance[path] ?? provenance[path.split('.')[0] ?? ''];
    return {
      cells: [path, JSON.stringify(value) ?? '-', source === undefined ? 'default' : source.layer],
    };
  });
  return renderTable(
    [
      { head: 'FIELD', width: 34 },
      { head: 'VALUE', width: 46 },
      { head: 'FROM', width: 14 },
    ],
    rows,
  );
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function prettyJson(text: string): string {
  const value = parseOr(text);
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** Every configuration of the stage, judged as the dispatcher judges them (SSM's order, caps counted). */
export async function listCommand(stage: Stage, options: { readonly invalid?: boolean }): Promise<void> {
  const admission = await readAdmission(stage.deps, stage.settings);
  const rows: { appKey: string; parameter: string; version: number; valid: boolean; problems: string[] }[] =
    [];
  for await (const page of stage.configs.pages(configPathPrefix(stage.descriptor.stage))) {
    const { valid, invalid } = admitConfigs(page, admission);
    const byName = new Map(page.map((p) => [p.name, p]));
    for (const config of valid) {
      rows.push({
        appKey: config.appKey,
        parameter: config.parameter,
        version: byName.get(config.parameter)?.version ?? 0,
        valid: true,
        problems: [],
      });
    }
    for (const { parameter, error } of invalid) {
      rows.push({
        appKey: error.appKey ?? parameter.name,
        parameter: parameter.name,
        version: parameter.version,
        valid: false,
        problems: error.issues.map(formatIssue),
      });
    }
  }
  rows.sort((a, b) => (a.appKey < b.appKey ? -1 : a.appKey > b.appKey ? 1 : 0));
  const shown = options.invalid ? rows.filter((row) => !row.valid) : rows;
  if (stage.options.json) {
    printJson({ stage: stage.descriptor.stage, configurations: shown });
    return;
  }
  if (shown.length === 0) {
    println(options.invalid ? 'Every configuration is valid.' : 'No configuration on this stage.');
    return;
  }
  println(
    renderTable(
      [
        { head: 'APPLICATION', width: 80 },
        { head: 'VERSION', width: 9 },
        { head: 'VALID', width: 8 },
      ],
      shown.map((row) => ({
        cells: [row.appKey, String(row.version), row.valid ? colors.green('yes') : colors.red('no')],
        notes: row.problems.map((problem) => `${colors.red('-')} ${problem}`),
      })),
    ),
  );
}
