"""What every boto3 referee test shares: clients of the endpoint in AWS_ENDPOINT_URL, unique names, and
waiting for a condition by polling it with a deadline (never sleeping a fixed time)."""

import time
import uuid

import boto3
from botocore.config import Config

# Retries would hide the first answer, which is what a referee is for.
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service, credentials=None, **config):
    """A boto3 client. boto3 reads AWS_ENDPOINT_URL, the region and the credentials from the environment;
    `credentials` (as STS returns them) replace the latter, `config` adds botocore settings."""
    keys = {}
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    return boto3.client(service, config=NO_RETRIES.merge(Config(**config)), **keys)


def unique(prefix):
    """A resource name no other test uses, so tests stay independent of each other and of their order."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def eventually(read, done, what, timeout=10.0, interval=0.02):
    """Calls read() until done(value) holds and returns the value; fails naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s; last value {value!r}")
        time.sleep(interval)
        value = read()
    return value
