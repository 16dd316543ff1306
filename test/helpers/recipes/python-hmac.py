# Python receiver recipe (SPEC section 7): hex HMAC-SHA256 of the raw body, compared with hmac.compare_digest.
# Usage: RECIPE_SECRET_HEX=<hex of the secret's UTF-8 bytes> python3 python-hmac.py <received signature> < body
# Prints {"expected": "<hex>", "verified": true|false}.
import hashlib
import hmac
import json
import os
import sys

secret = bytes.fromhex(os.environ["RECIPE_SECRET_HEX"]).decode("utf-8")
received = sys.argv[1] if len(sys.argv) > 1 else ""
body = sys.stdin.buffer.read()

expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
verified = hmac.compare_digest(received, expected)
print(json.dumps({"expected": expected, "verified": verified}))
