"""The root README's walkthrough and DLQ runbook commands, each as the boto3 calls the AWS CLI makes for it.

    python3 readme_steps.py <step> [values…]

prints what the CLI prints: the response as JSON, or the bare value of a `--query … --output text`.
The values are those of the command's shell variables, in the order test/referees/walkthrough.test.ts
lists them. Not a test module (runner.py only discovers test_*.py).
"""

import json
import sys

import boto3


def create_application():
    return boto3.client("kinesisanalyticsv2").create_application(
        ApplicationName="orders",
        RuntimeEnvironment="FLINK-1_20",
        ServiceExecutionRole="arn:aws:iam::000000000000:role/flink",
        ApplicationConfiguration={"ApplicationSnapshotConfiguration": {"SnapshotsEnabled": True}},
        Tags=[{"Key": "flink-snapshots:tenant", "Value": "shop"}],
    )


def start_application():
    return boto3.client("kinesisanalyticsv2").start_application(ApplicationName="orders")


def put_parameter():
    return boto3.client("ssm").put_parameter(
        Type="String", Name="/flink-snapshots/local/apps/shop/orders", Value='{"retention":{"count":3}}'
    )


def queue_arn(queue_url):
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]


def receive_dead_letters(dlq_url):
    return boto3.client("sqs").receive_message(
        QueueUrl=dlq_url,
        MaxNumberOfMessages=10,
        VisibilityTimeout=30,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )


def get_run(table_name, run_id):
    return boto3.client("dynamodb").get_item(
        TableName=table_name,
        Key=json.loads('{"appKey":{"S":"payments/fraud-scoring"},"runId":{"S":"%s"}}' % run_id),
    )


def start_message_move_task(source_arn, destination_arn):
    return boto3.client("sqs").start_message_move_task(
        SourceArn=source_arn, DestinationArn=destination_arn, MaxNumberOfMessagesPerSecond=10
    )


def list_message_move_tasks(source_arn):
    return boto3.client("sqs").list_message_move_tasks(SourceArn=source_arn)


STEPS = {
    "create-application": create_application,
    "start-application": start_application,
    "put-parameter": put_parameter,
    "dlq-arn": queue_arn,
    "work-arn": queue_arn,
    "receive-message": receive_dead_letters,
    "get-item": get_run,
    "start-message-move-task": start_message_move_task,
    "list-message-move-tasks": list_message_move_tasks,
}


def main():
    step, *values = sys.argv[1:]
    out = STEPS[step](*values)
    if isinstance(out, str):
        print(out)
    else:
        out.pop("ResponseMetadata", None)
        print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
