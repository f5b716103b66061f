"""Managed Service for Apache Flink (Kinesis Analytics V2): an application's lifecycle and its snapshots,
the calls the worker makes, in the form boto3 sends them."""

import unittest

from support import client, eventually, unique

SNAPSHOTS_ENABLED = {"ApplicationSnapshotConfiguration": {"SnapshotsEnabled": True}}


class KinesisAnalyticsTest(unittest.TestCase):
    def setUp(self):
        self.kda = client("kinesisanalyticsv2")

    def status(self, name):
        return self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"]

    def running_application(self):
        name = unique("orders")
        created = self.kda.create_application(
            ApplicationName=name,
            RuntimeEnvironment="FLINK-1_20",
            ServiceExecutionRole="arn:aws:iam::000000000000:role/flink",
            ApplicationConfiguration=SNAPSHOTS_ENABLED,
        )["ApplicationDetail"]
        self.assertEqual(created["ApplicationStatus"], "READY")
        self.kda.start_application(ApplicationName=name)
        eventually(lambda: self.status(name), lambda status: status == "RUNNING", f"{name} RUNNING")
        return name

    def snapshot(self, name, snapshot):
        return self.kda.describe_application_snapshot(ApplicationName=name, SnapshotName=snapshot)[
            "SnapshotDetails"
        ]

    def ready_snapshot(self, name):
        snapshot = unique("flink-snapshots")
        self.kda.create_application_snapshot(ApplicationName=name, SnapshotName=snapshot)
        eventually(
            lambda: self.snapshot(name, snapshot)["SnapshotStatus"],
            lambda status: status == "READY",
            f"snapshot {snapshot} READY",
        )
        return snapshot

    def listed(self, name):
        pages = self.kda.get_paginator("list_application_snapshots").paginate(ApplicationName=name)
        return [summary for page in pages for summary in page["SnapshotSummaries"]]

    def test_an_application_starts_and_takes_a_snapshot_that_becomes_ready_and_is_listed(self):
        name = self.running_application()
        version = self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationVersionId"]

        snapshot = self.ready_snapshot(name)

        details = self.snapshot(name, snapshot)
        self.assertEqual(details["ApplicationVersionId"], version)
        [summary] = self.listed(name)
        self.assertEqual(summary["SnapshotName"], snapshot)
        self.assertEqual(summary["SnapshotStatus"], "READY")
        self.assertEqual(summary["SnapshotCreationTimestamp"], details["SnapshotCreationTimestamp"])

    def test_a_second_snapshot_of_the_same_name_is_refused(self):
        name = self.running_application()
        snapshot = self.ready_snapshot(name)

        with self.assertRaises(self.kda.exceptions.ResourceInUseException):
            self.kda.create_application_snapshot(ApplicationName=name, SnapshotName=snapshot)

    def test_deletes_a_snapshot_given_its_creation_timestamp_exactly_as_listed(self):
        # boto3 sends the timestamp it parsed from the listing back as epoch seconds; AWS accepts it.
        name = self.running_application()
        snapshot = self.ready_snapshot(name)
        [summary] = self.listed(name)

        self.kda.delete_application_snapshot(
            ApplicationName=name,
            SnapshotName=snapshot,
            SnapshotCreationTimestamp=summary["SnapshotCreationTimestamp"],
        )

        eventually(lambda: self.listed(name), lambda snapshots: snapshots == [], f"{snapshot} deleted")


if __name__ == "__main__":
    unittest.main()
