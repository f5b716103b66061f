/**
 * The root README's local walkthrough ("The local AWS") and its DLQ runbook ("Runbook: messages in the
 * dead-letter queue"), end to end on the local AWS with a real cycle in between: once with Debian's AWS
 * CLI 2.9 running the README's command lines themselves (COMMANDS, checked against the README's text),
 * once with boto3 making the same calls (boto3/readme_steps.py).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type LocalAws, resourceNames } from '@flink-snapshots/local';
import {
  awsCli,
  boto3,
  debianAwsCli,
  eventually,
  type Referee,
  requireReferee,
  runPython,
  sdkClient,
  startLocal,
} from '@flink-snapshots/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CycleResult, runCycle } from '../../packages/local/src/cycle/cycle';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const STEPS = fileURLToPath(new URL('./boto3/readme_steps.py', import.meta.url));

/** `npm run cycle`'s default stage, which the README's parameter name uses. */
const STAGE = 'local';

/**
 * The README's commands as it shows them (continuation lines joined). Their shell variables, and the
 * runbook's `<runId>`, are filled in from `Values` when they run.
 */
const COMMANDS = {
  'create-application': `aws kinesisanalyticsv2 create-application --application-name orders --runtime-environment FLINK-1_20 --service-execution-role arn:aws:iam::000000000000:role/flink --application-configuration '{"ApplicationSnapshotConfiguration":{"SnapshotsEnabled":true}}' --tags Key=flink-snapshots:tenant,Value=shop`,
  'start-application': 'aws kinesisanalyticsv2 start-application --application-name orders',
  'put-parameter': `aws ssm put-parameter --type String --name /flink-snapshots/local/apps/shop/orders --value '{"retention":{"count":3}}'`,
  'dlq-arn':
    'aws sqs get-queue-attributes --queue-url "$DLQ_URL" --attribute-names QueueArn --query Attributes.QueueArn --output text',
  'work-arn':
    'aws sqs get-queue-attributes --queue-url "$WORK_URL" --attribute-names QueueArn --query Attributes.QueueArn --output text',
  'receive-message':
    'aws sqs receive-message --queue-url "$DLQ_URL" --max-number-of-messages 10 --visibility-timeout 30 --attribute-names All --message-attribute-names All',
  'get-item': `aws dynamodb get-item --table-name "$(out Storage RunsTableName)" --key '{"appKey":{"S":"payments/fraud-scoring"},"runId":{"S":"<runId>"}}'`,
  'start-message-move-task':
    'aws sqs start-message-move-task --source-arn "$DLQ_ARN" --destination-arn "$WORK_ARN" --max-number-of-messages-per-second 10',
  'list-message-move-tasks': 'aws sqs list-message-move-tasks --source-arn "$DLQ_ARN"',
} as const;
type Step = keyof typeof COMMANDS;

/** Values of the placeholders: `$DLQ_URL`, `$(out Storage RunsTableName)`, `<runId>`… */
type Values = Record<string, string>;
const PLACEHOLDER = /\$\([^)]*\)|\$[A-Z_]+|<runId>/g;

function fill(text: string, values: Values): string {
  return text.replace(PLACEHOLDER, (placeholder) => {
    const value = values[placeholder];
    if (value === undefined) throw new Error(`no value for ${placeholder} yet`);
    return value;
  });
}

/** The command's arguments after `aws`, split and unquoted as the shell would, placeholders filled. */
function argv(step: Step, values: Values): string[] {
  const words = COMMANDS[step].match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  return words.slice(1).map((word) => fill(word.replace(/^(['"])(.*)\1$/, '$2'), values));
}

/** What a README command printed: its JSON, or the bare text of a `--output text`. */
function printed(step: Step, stdout: string): unknown {
  return COMMANDS[step].includes('--output text') ? stdout.trim() : JSON.parse(stdout);
}

interface ReadmeClient {
  readonly name: string;
  readonly referee: Referee;
  run(local: LocalAws, step: Step, values: Values): Promise<unknown>;
}

const CLIENTS: readonly ReadmeClient[] = [
  {
    name: "Debian's AWS CLI",
    referee: debianAwsCli,
    run: (local, step, values) => awsCli(local, ...argv(step, values)),
  },
  {
    name: 'boto3',
    referee: boto3,
    // readme_steps.py takes the placeholders' values in the order the command uses them.
    run: async (local, step, values) => {
      const ordered = (COMMANDS[step].match(PLACEHOLDER) ?? []).map((placeholder) =>
        fill(placeholder, values),
      );
      return printed(step, await runPython(local, STEPS, [step, ...ordered]));
    },
  },
];

/** What receive-message and list-message-move-tasks print, as far as the runbook reads it. */
interface Received {
  readonly Messages?: readonly { readonly Body?: string; readonly Attributes?: Record<string, string> }[];
}
interface MoveTasks {
  readonly Results?: readonly Record<string, unknown>[];
}

describe('the walkthrough and the runbook', () => {
  it('run the commands the README shows', async () => {
    const readme = (await readFile(README, 'utf8')).replace(/\\\n\s*/g, ' ').replace(/[ \t]+/g, ' ');
    for (const command of Object.values(COMMANDS)) expect(readme).toContain(command);
  });
});

for (const client of CLIENTS) {
  describe.runIf(requireReferee(client.referee))(`the README with ${client.name}`, () => {
    let local: LocalAws;
    let cycle: CycleResult;
    const values: Values = {};
    const run = (step: Step) => client.run(local, step, values);

    beforeAll(async () => {
      local = await startLocal({ timeScale: 0.01 });
    });
    afterAll(() => local.stop());

    it('builds an application and its parameter, and a cycle snapshots it while another is dead-lettered', async () => {
      expect(await run('create-application')).toMatchObject({
        ApplicationDetail: { ApplicationName: 'orders', ApplicationStatus: 'READY' },
      });
      await run('start-application');
      expect(await run('put-parameter')).toMatchObject({ Version: 1 });
      await deadLetteredApplication(local);
      // A person types slower than the application starts (60 simulated s); a test waits for it.
      await eventually(
        () => local.services.kinesisAnalytics.getApplication('orders')?.status,
        (status) => status === 'RUNNING',
        { intervalMs: 20, what: 'orders RUNNING' },
      );

      // `npm run cycle`, in-process: stage local, the local AWS's clock. One receive before the DLQ (the
      // stack allows 5) keeps the dead-lettering quick. One record per invocation, with a visibility of
      // 3 real seconds: the failing invocation (MSF's 500s, retried by the SDK) holds no other record,
      // so no healthy message outlives its visibility and is dead-lettered with it.
      cycle = await runCycle({
        endpoint: local.url,
        stage: STAGE,
        clock: local.clock,
        settings: {
          worker: { batchSize: 1 },
          workQueue: { visibilityTimeoutSeconds: 300, maxReceiveCount: 1 },
        },
        maxWallMs: 60_000,
      });

      expect(cycle.unfinished).toBe(false);
      expect(cycle.runs.find((run) => run.appKey === 'shop/orders')).toMatchObject({
        state: 'COMPLETED',
        snapshotName: `flink-snapshots-${cycle.runId}`,
      });
      expect(cycle.deadLetters.map((letter) => letter.appKey)).toEqual(['payments/fraud-scoring']);
    });

    it('runbook: finds the queues, inspects the dead letter and reads its run', async () => {
      // Step 1 reads the stacks' CloudFormation outputs, which do not exist locally: the queues and the
      // table are found by the names the local runtime gave them (resourceNames; ensureResources made them).
      const names = resourceNames(STAGE);
      const sqs = sdkClient(SQSClient, local);
      for (const [variable, queue] of [
        ['$DLQ_URL', names.deadLetterQueue],
        ['$WORK_URL', names.workQueue],
      ] as const) {
        values[variable] = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl ?? '';
      }
      sqs.destroy();
      values['$(out Storage RunsTableName)'] = names.runsTable;
      values['<runId>'] = cycle.runId;

      values.$DLQ_ARN = String(await run('dlq-arn'));
      values.$WORK_ARN = String(await run('work-arn'));
      expect([values.$DLQ_ARN, values.$WORK_ARN]).toEqual([
        `arn:aws:sqs:us-east-1:000000000000:${names.deadLetterQueue}`,
        `arn:aws:sqs:us-east-1:000000000000:${names.workQueue}`,
      ]);

      const { Messages = [] } = (await run('receive-message')) as Received;
      expect(Messages).toHaveLength(1);
      const [letter] = Messages;
      expect(JSON.parse(letter?.Body ?? '{}')).toMatchObject({
        step: 'snapshot',
        appKey: 'payments/fraud-scoring',
        runId: cycle.runId,
      });
      expect(Number(letter?.Attributes?.ApproximateReceiveCount)).toBeGreaterThan(0);

      expect(await run('get-item')).toMatchObject({
        Item: {
          appKey: { S: 'payments/fraud-scoring' },
          runId: { S: cycle.runId },
          state: { S: 'DISPATCHED' },
        },
      });
    });

    it('runbook: once fixed, redrives the dead letter to the work queue with a move task', async ({
      skip,
    }) => {
      local.faults.clear(); // step 3, the fix
      await visibleAgain(local, values.$DLQ_URL ?? '');

      const started = await run('start-message-move-task').catch((error: unknown) => error);
      if (unknownToTheCli(started)) {
        skip(`${client.name} predates start-message-move-task (added to the AWS CLI in June 2023)`);
      }
      expect(started).toMatchObject({ TaskHandle: expect.any(String) });

      const { Results = [] } = await eventually(
        async () => (await run('list-message-move-tasks')) as MoveTasks,
        (tasks) => tasks.Results?.[0]?.Status === 'COMPLETED',
        { intervalMs: 100, timeoutMs: 30_000, what: 'the move task COMPLETED' },
      );
      expect(Results[0]).toMatchObject({
        SourceArn: values.$DLQ_ARN,
        DestinationArn: values.$WORK_ARN,
        MaxNumberOfMessagesPerSecond: 10,
        ApproximateNumberOfMessagesMoved: 1,
      });
      const sqs = sdkClient(SQSClient, local);
      const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: values.$WORK_URL ?? '' }));
      sqs.destroy();
      expect(moved.Messages?.map((message) => JSON.parse(message.Body ?? '{}').appKey)).toEqual([
        'payments/fraud-scoring',
      ]);
    });
  });
}

/**
 * The runbook's example application, payments/fraud-scoring, set up directly (the README's commands
 * build only orders), with MSF answering 500 to every call for it: the worker throws, SQS redelivers,
 * and after maxReceiveCount receives its message is really dead-lettered.
 */
async function deadLetteredApplication(local: LocalAws): Promise<void> {
  local.services.kinesisAnalytics.putApplication({ name: 'fraud-scoring', status: 'RUNNING' });
  const ssm = sdkClient(SSMClient, local);
  await ssm.send(
    new PutParameterCommand({
      Name: '/flink-snapshots/local/apps/payments/fraud-scoring',
      Value: '{}',
      Type: 'String',
    }),
  );
  ssm.destroy();
  local.faults.add({ kind: 'server-error', service: 'kinesisanalytics', application: 'fraud-scoring' });
}

/** Waits until the dead letter the runbook received (visibility 30 simulated s) is visible again. */
async function visibleAgain(local: LocalAws, queueUrl: string): Promise<void> {
  const sqs = sdkClient(SQSClient, local);
  try {
    await eventually(
      async () =>
        (
          await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: ['ApproximateNumberOfMessages'],
            }),
          )
        ).Attributes?.ApproximateNumberOfMessages,
      (visible) => visible === '1',
      { intervalMs: 20, what: 'the dead letter visible again' },
    );
  } finally {
    sqs.destroy();
  }
}

/** Whether the AWS CLI refused the command as unknown to it (an older CLI). */
function unknownToTheCli(outcome: unknown): boolean {
  return outcome instanceof Error && /Invalid choice/.test(String((outcome as { stderr?: unknown }).stderr));
}
