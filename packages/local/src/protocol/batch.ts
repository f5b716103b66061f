/**
 * Batch calls (SQS's *Batch, SNS's PublishBatch) run each entry on its own: an AwsError fails that
 * entry alone and the call goes on, as AWS answers them; each service words its Failed entries.
 */
import { AwsError } from './service';

export interface BatchFailure<E> {
  readonly entry: E;
  readonly index: number;
  readonly error: AwsError;
}

/** Runs every entry; `fatal` errors (and any that is not an AwsError) fail the whole call instead. */
export function runBatch<E, R>(
  entries: readonly E[],
  run: (entry: E, index: number) => R,
  fatal: (error: AwsError) => boolean = () => false,
): { successful: R[]; failed: BatchFailure<E>[] } {
  const successful: R[] = [];
  const failed: BatchFailure<E>[] = [];
  entries.forEach((entry, index) => {
    try {
      successful.push(run(entry, index));
    } catch (error) {
      if (!(error instanceof AwsError) || fatal(error)) throw error;
      failed.push({ entry, index, error });
    }
  });
  return { successful, failed };
}
