"""SQS over the JSON protocol (boto3's default since 2023): messages, visibility, dead-letter queues and
moving messages back from a DLQ, as the pipeline and the DLQ runbook rely on them."""

import hashlib
import json
import unittest

from support import client, eventually, unique


class SqsTest(unittest.TestCase):
    def setUp(self):
        self.sqs = client("sqs")

    def queue(self, prefix, **attributes):
        url = self.sqs.create_queue(QueueName=unique(prefix), Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def receive(self, url, **options):
        return self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"], **options
        ).get("Messages", [])

    def test_sends_and_receives_a_message_with_its_attributes_and_checksums(self):
        url, _ = self.queue("send")
        body = 'snapshot <orders> & "more" ✓'
        sent = self.sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={"tenant": {"DataType": "String", "StringValue": "payments"}},
        )

        [message] = self.receive(url, MessageAttributeNames=["All"])

        self.assertEqual(message["MessageId"], sent["MessageId"])
        self.assertEqual(message["Body"], body)
        self.assertEqual(message["MD5OfBody"], hashlib.md5(body.encode()).hexdigest())
        self.assertEqual(message["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(message["MessageAttributes"], {"tenant": {"DataType": "String", "StringValue": "payments"}})
        self.assertEqual(message["Attributes"]["ApproximateReceiveCount"], "1")
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        self.assertEqual(self.receive(url), [])

    def test_hides_a_received_message_for_its_visibility_timeout_then_delivers_it_again(self):
        # The server runs simulated time 100 times faster: 200 s of visibility are 2 s here.
        url, _ = self.queue("visibility")
        self.sqs.send_message(QueueUrl=url, MessageBody="once")

        [first] = self.receive(url, VisibilityTimeout=200)
        self.assertEqual(self.receive(url), [], "hidden while its visibility timeout runs")

        [again] = eventually(lambda: self.receive(url), lambda got: len(got) == 1, "the message visible again")
        self.assertEqual(again["MessageId"], first["MessageId"])
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(again["ReceiptHandle"], first["ReceiptHandle"])

    def test_change_message_visibility_makes_a_message_visible_at_once_or_keeps_it_hidden(self):
        url, _ = self.queue("change-visibility")
        self.sqs.send_message(QueueUrl=url, MessageBody="b")
        self.sqs.send_message(QueueUrl=url, MessageBody="a")
        received = self.receive(url, VisibilityTimeout=3600)
        self.assertEqual(sorted(m["Body"] for m in received), ["a", "b"])
        handles = {m["Body"]: m["ReceiptHandle"] for m in received}

        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handles["a"], VisibilityTimeout=0)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handles["b"], VisibilityTimeout=7200)

        self.assertEqual([m["Body"] for m in self.receive(url)], ["a"])

    def test_a_redrive_policy_moves_a_message_to_the_dlq_after_max_receive_count_and_a_move_task_brings_it_back(
        self,
    ):
        dlq_url, dlq_arn = self.queue("dlq")
        work_url, _ = self.queue(
            "work", RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
        )
        self.sqs.send_message(QueueUrl=work_url, MessageBody='{"step": "snapshot"}')

        # Two receives are allowed; the next receive finds the count exceeded and moves it to the DLQ.
        for count in ("1", "2"):
            [message] = self.receive(work_url, VisibilityTimeout=0)
            self.assertEqual(message["Attributes"]["ApproximateReceiveCount"], count)
        self.assertEqual(self.receive(work_url, VisibilityTimeout=0), [])
        [dead] = eventually(lambda: self.receive(dlq_url, VisibilityTimeout=0), lambda got: got, "a message in the DLQ")
        self.assertEqual(dead["Body"], '{"step": "snapshot"}')
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"], [work_url])

        # Without a DestinationArn the messages go back to the queue they were dead-lettered from.
        handle = self.sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=10)["TaskHandle"]
        [task] = eventually(
            lambda: self.sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"],
            lambda tasks: tasks and tasks[0]["Status"] == "COMPLETED",
            "the move task COMPLETED",
        )
        self.assertEqual(task["SourceArn"], dlq_arn)
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 1)
        self.assertNotIn("DestinationArn", task)
        self.assertTrue(handle)
        [back] = eventually(lambda: self.receive(work_url), lambda got: got, "the message back in the work queue")
        self.assertEqual(back["Body"], '{"step": "snapshot"}')
        self.assertEqual(self.receive(dlq_url), [])

    def test_a_move_task_from_a_queue_that_is_no_dlq_is_refused(self):
        _, arn = self.queue("not-a-dlq")
        with self.assertRaises(self.sqs.exceptions.ClientError) as raised:
            self.sqs.start_message_move_task(SourceArn=arn)
        self.assertEqual(raised.exception.response["Error"]["Code"], "AWS.SimpleQueueService.UnsupportedOperation")


if __name__ == "__main__":
    unittest.main()
