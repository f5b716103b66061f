"""SNS to SQS: a tenant's subscription with a filter policy on the message attributes the alerts carry."""

import json
import unittest

from support import client, eventually, unique


class SnsToSqsTest(unittest.TestCase):
    def setUp(self):
        self.sns = client("sns")
        self.sqs = client("sqs")
        self.topic_arn = self.sns.create_topic(Name=unique("failures"))["TopicArn"]

    def subscribed_queue(self, **attributes):
        url = self.sqs.create_queue(QueueName=unique("tenant-alerts"))["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # What AWS needs for the topic to deliver (the emulators do not check it).
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": self.topic_arn}},
                }
            ],
        }
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        self.sns.subscribe(
            TopicArn=self.topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes, ReturnSubscriptionArn=True
        )
        return url

    def publish(self, tenant, severity, message):
        self.sns.publish(
            TopicArn=self.topic_arn,
            Subject=f"flink-snapshots failed {tenant}/app",
            Message=message,
            MessageAttributes={
                "tenant": {"DataType": "String", "StringValue": tenant},
                "severity": {"DataType": "String", "StringValue": severity},
            },
        )

    def received(self, url):
        return eventually(
            lambda: self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
                "Messages", []
            ),
            lambda messages: messages,
            f"a message in {url}",
        )

    def test_a_filter_policy_on_message_attributes_lets_through_only_what_matches(self):
        url = self.subscribed_queue(
            FilterPolicy=json.dumps({"tenant": ["payments"], "severity": [{"anything-but": "info"}]}),
            RawMessageDelivery="true",
        )

        # The ones filtered out go first, so the match arriving means they had their chance.
        self.publish("search", "critical", "other tenant")
        self.publish("payments", "info", "too mild")
        self.publish("payments", "critical", "for payments")

        [message] = self.received(url)
        self.assertEqual(message["Body"], "for payments")
        # Raw delivery turns the SNS message attributes into SQS message attributes.
        self.assertEqual(message["MessageAttributes"]["tenant"], {"DataType": "String", "StringValue": "payments"})

    def test_without_raw_delivery_the_queue_receives_the_sns_envelope(self):
        url = self.subscribed_queue(FilterPolicy=json.dumps({"tenant": ["payments"]}))

        self.publish("payments", "critical", '{"event": "failed"}')

        [message] = self.received(url)
        envelope = json.loads(message["Body"])
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["TopicArn"], self.topic_arn)
        self.assertEqual(envelope["Subject"], "flink-snapshots failed payments/app")
        self.assertEqual(json.loads(envelope["Message"]), {"event": "failed"})
        self.assertEqual(envelope["MessageAttributes"]["tenant"], {"Type": "String", "Value": "payments"})


if __name__ == "__main__":
    unittest.main()
