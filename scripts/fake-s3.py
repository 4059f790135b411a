#!/usr/bin/env python3
"""A stand-in S3 endpoint for conform's SigV4 test: moto's server with authentication switched on.

Moto answers its first few requests unauthenticated (INITIAL_NO_AUTH_ACTION_COUNT); this script spends
exactly those on setting up an IAM user with an access key and an S3 policy, a bucket and an object. Every
request after that must carry a SigV4 signature that moto recomputes with botocore from the user's secret,
and one that does not match is refused with 403 SignatureDoesNotMatch. It writes
{"endpoint", "bucket", "object", "bytes", "access_key", "secret_key"} to --info-file and serves until killed.
"""
import argparse
import json
import os
import signal
import threading

SETUP_REQUESTS = 5  # create_user, create_access_key, put_user_policy, create_bucket, put_object
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(SETUP_REQUESTS)  # read when moto is imported

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--info-file", required=True)
    parser.add_argument("--bytes", type=int, default=8 * 1024 * 1024)
    options = parser.parse_args()

    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    endpoint = "http://127.0.0.1:%d" % server.get_host_and_port()[1]
    setup = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup",
                 aws_secret_access_key="setup")
    iam = boto3.client("iam", **setup)
    iam.create_user(UserName="conform")
    key = iam.create_access_key(UserName="conform")["AccessKey"]
    iam.put_user_policy(UserName="conform", PolicyName="s3", PolicyDocument=json.dumps(POLICY))
    s3 = boto3.client("s3", **setup)
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="payload.bin", Body=os.urandom(options.bytes))

    info = {"endpoint": endpoint, "bucket": "lake", "object": "payload.bin", "bytes": options.bytes,
            "access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"]}
    temporary = options.info_file + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(info, handle)
    os.rename(temporary, options.info_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
