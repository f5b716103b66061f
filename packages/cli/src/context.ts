/**
 * The command's composition root: finds the stage (its deployment parameter), then builds the same
 * adapters the Lambdas use, with the usual credential chain, `--region` or the SDK's own region
 * settings, and AWS_ENDPOINT_URL when set (the local AWS).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  awsErrorCode,
  type Deps,
  type Log,
  type PipelineSettings,
  partitionOf,
  SqsDeadLetters,
  SsmConfigSource,
} from '@flink-snapshots/core';
import { type Adapters, createAdapters, type Env } from '@flink-snapshots/functions';
import {
  type DeploymentDescriptor,
  DeploymentDescriptorSchema,
  deploymentParameterName,
  PIPELINE,
} from '@flink-snapshots/settings';
import { CliError, ExitCode } from './errors';

export interface GlobalOptions {
  readonly stage: string;
  readonly region?: string | undefined;
  /** Judge times as of this instant (epoch ms); default the system clock. */
  readonly now?: number | undefined;
  readonly json?: boolean | undefined;
}

/** The stage as deployed, and the adapters to act on it. */
export interface Stage {
  readonly options: GlobalOptions;
  readonly descriptor: DeploymentDescriptor;
  readonly adapters: Adapters;
  readonly configs: SsmConfigSource;
  readonly deadLetters: SqsDeadLetters;
  readonly now: number;
  /** Everything a use case needs: the adapters, a log that stays quiet, no metrics. */
  readonly deps: Deps;
  /** What configurations are judged against, as the dispatcher judges them. */
  readonly settings: PipelineSettings;
}

/** The command writes nothing to the operator's terminal on its own: warnings go to stderr with DEBUG. */
const quietLog: Log = {
  debug: () => {},
  info: () => {},
  warn: (message, extra) => debug(message, extra),
  error: (message, extra) => debug(message, extra),
};

function debug(message: string, extra?: Record<string, unknown>): void {
  if (process.env.FLINK_SNAPSHOTS_DEBUG) process.stderr.write(`${message} ${JSON.stringify(extra ?? {})}\n`);
}

/** Reads and validates the stage's deployment parameter; explains what to do when it is missing. */
export async function readDeployment(options: GlobalOptions): Promise<DeploymentDescriptor> {
  const name = deploymentParameterName(options.stage);
  const ssm = new SSMClient(options.region === undefined ? {} : { region: options.region });
  try {
    const output = await ssm.send(new GetParameterCommand({ Name: name }));
    const raw = output.Parameter?.Value ?? '';
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new CliError(
        `The deployment parameter ${name} is not JSON; expected what the Pipeline stack writes: redeploy the stage`,
        ExitCode.NOT_FOUND_OR_INVALID,
      );
    }
    const parsed = DeploymentDescriptorSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: expected ${issue.message}`,
      );
      throw new CliError(
        `The deployment parameter ${name} is not valid (${problems.join('; ')}); redeploy the stage`,
        ExitCode.NOT_FOUND_OR_INVALID,
      );
    }
    return parsed.data;
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (awsErrorCode(error) === 'ParameterNotFound') {
      throw new CliError(
        `Stage ${options.stage} not found: no parameter ${name}${options.region === undefined ? '' : ` in ${options.region}`}; check --stage and --region (or AWS_REGION), or deploy the stage (npm run local creates the local one)`,
        ExitCode.NOT_FOUND_OR_INVALID,
        { cause: error },
      );
    }
    if (error instanceof Error && /region is missing/i.test(error.message)) {
      throw new CliError(
        'No AWS region: pass --region, or set AWS_REGION (or a region in your AWS profile)',
        ExitCode.USAGE,
        { cause: error },
      );
    }
    throw error;
  } finally {
    ssm.destroy();
  }
}

/** The handlers' environment, as the stack sets it, from the deployment parameter. */
export function envOf(descriptor: DeploymentDescriptor): Env {
  return {
    stage: descriptor.stage,
    runsTableName: descriptor.runsTableName,
    workQueueUrl: descriptor.workQueueUrl,
    alertsTopicArn: descriptor.alertsTopicArn,
    tickMinutes: descriptor.tickMinutes,
    runTtlDays: descriptor.runTtlDays,
    region: descriptor.region,
    tenantMode: descriptor.tenantMode,
    accountId: descriptor.accountId,
    partition: partitionOf(descriptor.region),
    roleArnPattern: descriptor.roleArnPattern,
    // The command reaches applications through the operator role (which may also stop and start them),
    // one tenant per session like the worker; the worker's MSF access role trusts the worker only.
    msfAccessRoleArn: descriptor.operatorRoleArn,
  };
}

/** The wall clock; `--now` sets where it starts, and it runs on from there, so waits and deadlines pass. */
function systemClock(startAt?: number): { now(): number } {
  const startedAt = Date.now();
  return { now: () => (startAt ?? startedAt) + (Date.now() - startedAt) };
}

/**
 * The local AWS's simulated clock, when AWS_ENDPOINT_URL names a loopback address that answers its
 * control plane (`GET /_local/clock`): there time may run 100 times faster, and ages, due times and
 * waits are judged by it. Undefined elsewhere (real AWS: the wall clock).
 */
async function localAwsClock(): Promise<{ now(): number } | undefined> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint === undefined) return undefined;
  let url: URL;
  try {
    url = new URL('/_local/clock', endpoint);
  } catch {
    return undefined;
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return undefined;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { now?: unknown; timeScale?: unknown };
    const { now, timeScale } = body;
    if (typeof now !== 'number' || typeof timeScale !== 'number' || !(timeScale > 0)) return undefined;
    const fetchedAt = Date.now();
    return { now: () => now + (Date.now() - fetchedAt) / timeScale };
  } catch {
    return undefined;
  }
}

/** Finds the stage and builds its adapters. */
export async function openStage(options: GlobalOptions): Promise<Stage> {
  const descriptor = await readDeployment(options);
  const clock =
    options.now === undefined ? ((await localAwsClock()) ?? systemClock()) : systemClock(options.now);
  const adapters = createAdapters(envOf(descriptor), { clock });
  const configs = new SsmConfigSource(new SSMClient({ region: descriptor.region }), {
    maxRequestsPerSecond: PIPELINE.dispatcher.ssmRequestsPerSecond,
  });
  const deadLetters = new SqsDeadLetters(new SQSClient({ region: descriptor.region }), {
    queueUrl: descriptor.deadLetterQueueUrl,
    queueArn: descriptor.deadLetterQueueArn,
    destinationArn: descriptor.workQueueArn,
  });
  const deps: Deps = {
    ...adapters,
    configs,
    log: quietLog,
    metrics: { count: () => {}, seconds: () => {}, gauge: () => {} },
  };
  const settings: PipelineSettings = {
    stage: descriptor.stage,
    tickMinutes: descriptor.tickMinutes,
    tenantMode: descriptor.tenantMode,
    deployment: {
      region: descriptor.region,
      accountId: descriptor.accountId,
      partition: partitionOf(descriptor.region),
      roleArnPattern: descriptor.roleArnPattern,
    },
  };
  return {
    options,
    descriptor,
    adapters,
    configs,
    deadLetters,
    now: clock.now(),
    deps,
    settings,
  };
}
