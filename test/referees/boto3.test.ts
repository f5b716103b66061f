/**
 * The local AWS driven by boto3, a client none of us wrote (SQS over JSON, SNS, SSM, STS, MSF, DynamoDB).
 * The cases are stdlib unittest files in ./boto3; runner.py runs them all in one Python process (Python
 * starts slowly) and each case is reported here as one test, failing with its traceback.
 */
import { fileURLToPath } from 'node:url';
import {
  boto3,
  listPythonTests,
  type PythonCase,
  requireReferee,
  runPythonTests,
  startLocal,
} from '@flink-snapshots/testkit';
import { beforeAll, describe, it } from 'vitest';

const RUNNER = fileURLToPath(new URL('./boto3/runner.py', import.meta.url));
const available = requireReferee(boto3);
const ids = available ? await listPythonTests(RUNNER) : [];

/** `test_sqs.SqsTest.test_sends_a_message` → suite `test_sqs.SqsTest`, test `sends a message`. */
function split(id: string): { suite: string; name: string } {
  const at = id.lastIndexOf('.');
  return {
    suite: id.slice(0, at),
    name: id
      .slice(at + 1)
      .replace(/^test_/, '')
      .replaceAll('_', ' '),
  };
}

const suites = new Map<string, string[]>();
for (const id of ids) suites.set(split(id).suite, [...(suites.get(split(id).suite) ?? []), id]);

describe.runIf(available)('boto3 against the local AWS', () => {
  let results = new Map<string, PythonCase>();

  beforeAll(async () => {
    // Simulated time 100 times faster: snapshots are READY and visibility timeouts expire in seconds.
    const local = await startLocal({ timeScale: 0.01 });
    try {
      results = await runPythonTests(RUNNER, local);
    } finally {
      await local.stop();
    }
  }, 300_000);

  for (const [suite, cases] of suites) {
    describe(suite, () => {
      for (const id of cases) {
        it(split(id).name, ({ skip }) => {
          const result = results.get(id);
          if (result === undefined)
            throw new Error(`${id} did not run; runner.py reported no outcome for it`);
          if (result.outcome === 'skipped') skip(result.detail);
          if (result.outcome !== 'passed' && result.outcome !== 'skipped') {
            throw new Error(`${id} ${result.outcome} after ${result.seconds} s:\n${result.detail}`);
          }
        });
      }
    });
  }
});
