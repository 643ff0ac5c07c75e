"""Signs a status proof as Python writes JSON by default: the "python" form.

    python3 python.py OUT    # needs the cryptography package
"""

import base64
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# The secret key of RFC 8032 §7.1 TEST 1: a published test key, never a real one.
key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))

proof = {
    "license_id": "LIC-2026-0042",
    "status": "valid",
    "checked_at": "2026-03-01T09:00:00Z",
    "valid_until": "2026-03-04T09:00:00Z",
    "revocation_epoch": 7,
    "entitlements": ["export", "größe:xl", "日本語", "🚀 turbo"],
    "issuer_kid": "vendor-2026",
    "customer": "Zoë Müller & Söhne <Köln/Bonn>",
    "labels": {"ﬁ": "ligature", "😀": "grinning"},
    "note": "line\u2028separator",
}


def signed_bytes(doc):
    # Keep Python's defaults (ensure_ascii, code-point order, floats as repr);
    # only sort_keys and the separators are set. allow_nan=False refuses NaN
    # and Infinity, which are not JSON.
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("ascii")


proof["signature"] = base64.b64encode(key.sign(signed_bytes(proof))).decode("ascii")
with open(sys.argv[1], "wb") as f:
    f.write(signed_bytes(proof))
