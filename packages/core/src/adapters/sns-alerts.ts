/**
 * Alerts over SNS: a short subject for e-mail, a JSON message for machines, and message attributes
 * (tenant, application, severity, event) so each tenant subscribes with a filter policy on its own name.
 */
import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../domain/alerts';
import type { Alerts } from '../ports';
import { toDomainError } from './aws-errors';

/** SNS subjects: printable ASCII without line breaks, fewer than 100 characters. */
export const SUBJECT_MAX_LENGTH = 99;

/** `flink-snapshots <event> <appKey>`, made safe for SNS: other characters become `?`, then truncated. */
export function alertSubject(alert: Pick<Alert, 'event' | 'appKey'>): string {
  const subject = `flink-snapshots ${alert.event} ${alert.appKey}`.replace(/[^\x20-\x7e]/g, '?');
  return subject.length <= SUBJECT_MAX_LENGTH ? subject : `${subject.slice(0, SUBJECT_MAX_LENGTH - 3)}...`;
}

/** The JSON message body of an alert; absent fields are left out. */
export function alertMessage(alert: Alert): string {
  return JSON.stringify({
    event: alert.event,
    severity: alert.severity,
    tenant: alert.tenant,
    application: alert.application,
    appKey: alert.appKey,
    runId: alert.runId,
    state: alert.state,
    reason: alert.reason,
    error: alert.error,
    contact: alert.contact,
  });
}

export class SnsAlerts implements Alerts {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
    try {
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: alertSubject(alert),
          Message: alertMessage(alert),
          MessageAttributes: {
            tenant: attribute(alert.tenant),
            application: attribute(alert.application),
            severity: attribute(alert.severity),
            event: attribute(alert.event),
          },
        }),
      );
    } catch (error) {
      throw toDomainError(error, { operation: 'Publish', application: alert.application });
    }
  }
}
