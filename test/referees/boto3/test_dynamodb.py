"""DynamoDB conditional writes: every run transition is one, so a redelivered message never acts twice."""

import unittest

from support import client, eventually, unique


class ConditionalWritesTest(unittest.TestCase):
    def setUp(self):
        self.dynamodb = client("dynamodb")
        self.table = unique("runs")
        self.dynamodb.create_table(
            TableName=self.table,
            AttributeDefinitions=[{"AttributeName": "appKey", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "appKey", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        eventually(
            lambda: self.dynamodb.describe_table(TableName=self.table)["Table"]["TableStatus"],
            lambda status: status == "ACTIVE",
            f"table {self.table} ACTIVE",
        )

    def tearDown(self):
        self.dynamodb.delete_table(TableName=self.table)

    def item(self):
        return self.dynamodb.get_item(TableName=self.table, Key={"appKey": {"S": "payments/ledger"}}, ConsistentRead=True)[
            "Item"
        ]

    def put_new(self, state):
        self.dynamodb.put_item(
            TableName=self.table,
            Item={"appKey": {"S": "payments/ledger"}, "state": {"S": state}},
            ConditionExpression="attribute_not_exists(appKey)",
        )

    def transition(self, expected, to):
        return self.dynamodb.update_item(
            TableName=self.table,
            Key={"appKey": {"S": "payments/ledger"}},
            UpdateExpression="SET #state = :to ADD transitions :one",
            ConditionExpression="#state = :expected",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":to": {"S": to}, ":expected": {"S": expected}, ":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )["Attributes"]

    def test_a_put_conditioned_on_absence_fails_the_second_time_and_leaves_the_item(self):
        self.put_new("DISPATCHED")

        with self.assertRaises(self.dynamodb.exceptions.ConditionalCheckFailedException) as raised:
            self.put_new("SKIPPED")

        self.assertEqual(raised.exception.response["Error"]["Code"], "ConditionalCheckFailedException")
        self.assertEqual(self.item()["state"], {"S": "DISPATCHED"})

    def test_an_update_conditioned_on_the_state_applies_once(self):
        self.put_new("DISPATCHED")

        updated = self.transition("DISPATCHED", "SNAPSHOT_REQUESTED")
        self.assertEqual(updated["state"], {"S": "SNAPSHOT_REQUESTED"})
        self.assertEqual(updated["transitions"], {"N": "1"})

        with self.assertRaises(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.transition("DISPATCHED", "SNAPSHOT_REQUESTED")
        self.assertEqual(self.item()["transitions"], {"N": "1"})

    def test_an_update_conditioned_on_the_state_of_a_missing_item_creates_nothing(self):
        with self.assertRaises(self.dynamodb.exceptions.ConditionalCheckFailedException):
            self.transition("DISPATCHED", "FAILED")
        self.assertNotIn(
            "Item", self.dynamodb.get_item(TableName=self.table, Key={"appKey": {"S": "payments/ledger"}})
        )


if __name__ == "__main__":
    unittest.main()
