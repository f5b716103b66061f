"""STS AssumeRole, as the worker assumes a role for an application in another account."""

import datetime
import unittest

from support import client, unique

ROLE_ARN = "arn:aws:iam::111122223333:role/flink-snapshots-access"


class StsTest(unittest.TestCase):
    def setUp(self):
        self.sts = client("sts")

    def test_assume_role_returns_temporary_credentials_of_the_role_session(self):
        session = unique("referee")
        before = datetime.datetime.now(datetime.timezone.utc)

        out = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName=session, DurationSeconds=900)

        credentials = out["Credentials"]
        self.assertRegex(credentials["AccessKeyId"], r"^ASIA[A-Z0-9]{12,}$")
        self.assertTrue(credentials["SecretAccessKey"])
        self.assertTrue(credentials["SessionToken"])
        # The server's clock may run ahead of this one (simulated time), never behind.
        self.assertGreaterEqual(credentials["Expiration"], before + datetime.timedelta(seconds=890))
        self.assertEqual(
            out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::111122223333:assumed-role/flink-snapshots-access/{session}"
        )
        self.assertTrue(out["AssumedRoleUser"]["AssumedRoleId"].endswith(f":{session}"))

    def test_the_assumed_credentials_are_accepted_by_another_service(self):
        credentials = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName=unique("referee"))["Credentials"]
        sqs = client("sqs", credentials=credentials)

        name = unique("assumed")
        created = sqs.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(sqs.get_queue_url(QueueName=name)["QueueUrl"], created)

    def test_assume_role_refuses_a_duration_below_15_minutes(self):
        # boto3 would refuse it before sending; the point is what STS answers.
        sts = client("sts", parameter_validation=False)
        with self.assertRaises(sts.exceptions.ClientError) as raised:
            sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName=unique("referee"), DurationSeconds=899)
        self.assertEqual(raised.exception.response["Error"]["Code"], "ValidationError")


if __name__ == "__main__":
    unittest.main()
