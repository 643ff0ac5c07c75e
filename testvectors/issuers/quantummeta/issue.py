"""Issues .qkey licenses with quantummeta-license 1.1.1's own functions and
writes them, with manifest.json, into the directory given (default: this
script's own). The files are the package's real output; only its sources of
chance and time are fixed, so that every run writes the same bytes:

- the Ed25519 private key is a fixed seed;
- secrets.token_bytes, which the package draws each file's salt and nonce
  from, is a SHA-256 counter;
- datetime.now, which create_license reads for "issued", is a fixed time.

The manifest records what the issuer was told for each file (package, user,
machine id, features, validity, or the whole document given to
sign_license), the password, any change made after signing, and the exact
bytes the package passed to Ed25519: the vector generator derives every
expected result from it.

    python3 issue.py [DIRECTORY]    # needs quantummeta-license==1.1.1
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import types
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

PACKAGE_VERSION = "1.1.1"

# The issuer's key: a fixed seed, used for these test files only.
SEED = hashlib.sha256(b"licverify issuers quantummeta").digest()

# The time create_license reads as "now": a naive local time, as the package
# uses it, with microseconds so that "issued" carries a fraction.
NOW = datetime(2026, 1, 15, 9, 30, 0, 123456)

OTHER_PASSWORD = "correct horse battery staple"


# How a license dict becomes a file: encrypted, or as the JSON text that
# LicenseEncryption.encrypt_license encrypts (json.dumps, indent=2).
_SAVED_BY = {True: "LicenseEncryption.create_license_file", False: "the JSON text LicenseEncryption.encrypt_license encrypts"}


class _Counter:
    """Stands in for secrets.token_bytes: SHA-256 of a label and a counter."""

    def __init__(self) -> None:
        self.n = 0

    def token_bytes(self, n: int) -> bytes:
        assert n <= 32
        self.n += 1
        return hashlib.sha256(b"licverify issuers quantummeta salt/nonce %d" % self.n).digest()[:n]


class _FixedClock(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        assert tz is None
        return NOW


@contextlib.contextmanager
def _recording(signed: List[bytes]) -> Iterator[None]:
    """Records every message the package hands to Ed25519, as bytes."""
    original = ed25519.Ed25519PrivateKey.from_private_bytes

    class Recorder:
        def __init__(self, key: ed25519.Ed25519PrivateKey) -> None:
            self.key = key

        def sign(self, data: bytes) -> bytes:
            signed.append(bytes(data))
            return self.key.sign(data)

    def from_private_bytes(data: bytes) -> Any:
        return Recorder(original(data))

    ed25519.Ed25519PrivateKey.from_private_bytes = from_private_bytes  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        ed25519.Ed25519PrivateKey.from_private_bytes = original  # type: ignore[method-assign]


def main(out: Path) -> None:
    if version("quantummeta-license") != PACKAGE_VERSION:
        sys.exit(f"issue.py: quantummeta-license {version('quantummeta-license')} is installed, not {PACKAGE_VERSION}")
    with tempfile.TemporaryDirectory() as config:
        # LicenseManager() makes its configuration directories: keep them out
        # of the user's home.
        os.environ["XDG_CONFIG_HOME"] = config
        os.environ["XDG_CACHE_HOME"] = config
        issue(out)


def issue(out: Path) -> None:
    from quantummeta_license.core import encryption, license_manager
    from quantummeta_license.core.encryption import LicenseEncryption, LicenseSignature
    from quantummeta_license.core.license_manager import LicenseManager

    counter = _Counter()
    encryption.secrets = types.SimpleNamespace(token_bytes=counter.token_bytes)  # type: ignore[attr-defined]
    license_manager.datetime = _FixedClock  # type: ignore[attr-defined,misc]

    public = ed25519.Ed25519PrivateKey.from_private_bytes(SEED).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    manager = LicenseManager()
    out.mkdir(parents=True, exist_ok=True)
    files: List[Dict[str, Any]] = []

    def entry(name: str, made_by: str, told: Dict[str, Any], password: Optional[str], payload: Optional[bytes]) -> Dict[str, Any]:
        e: Dict[str, Any] = {"file": name, "made_by": made_by, **told, "password": password}
        e["encrypted"] = name.endswith(".qkey")
        e["signed_payload"] = payload.decode("ascii") if payload is not None else None
        files.append(e)
        return e

    def create(name: str, password: Optional[str], sign: bool = True, **told: Any) -> Dict[str, Any]:
        signed: List[bytes] = []
        with _recording(signed):
            lic = manager.create_license(**told, private_key_bytes=SEED if sign else None)
        assert len(signed) == (1 if sign else 0)
        save(name, lic, password)
        how = "LicenseManager.create_license, " + _SAVED_BY[name.endswith(".qkey")]
        told = {"create_license": {**told, "now": NOW.isoformat()}}
        return entry(name, how, told, password, signed[0] if signed else None)

    def sign_document(name: str, doc: Dict[str, Any], password: Optional[str]) -> Dict[str, Any]:
        signed: List[bytes] = []
        with _recording(signed):
            signature = LicenseSignature.sign_license(doc, SEED)
        assert len(signed) == 1
        save(name, {**doc, "signature": signature}, password)
        how = "LicenseSignature.sign_license, " + _SAVED_BY[name.endswith(".qkey")]
        return entry(name, how, {"sign_license": doc}, password, signed[0])

    def save(name: str, lic: Dict[str, Any], password: Optional[str]) -> None:
        path = out / name
        if name.endswith(".qkey"):
            LicenseEncryption.create_license_file(lic, str(path), password or "quantummeta")
        else:
            # A plain-JSON license: the very text encrypt_license encrypts.
            path.write_bytes(json.dumps(lic, indent=2).encode("utf-8"))

    def tamper(name: str, source: Dict[str, Any], member: str, value: Any) -> None:
        password = source["password"]
        lic = LicenseEncryption.read_license_file(str(out / source["file"]), password or "quantummeta")
        lic[member] = value
        LicenseEncryption.create_license_file(lic, str(out / name), password or "quantummeta")
        e = {k: v for k, v in source.items() if k != "file"}
        e["made_by"] = "LicenseEncryption.read_license_file, one member changed, LicenseEncryption.create_license_file"
        files.append({"file": name, **e, "tampered": {"member": member, "value": value}})

    create("ascii-control.qkey", None, package="Quantum-Sim", user="alice@example.com",
           machine_id="0123456789abcdef0123456789abcdef", features=["core", "pro"], validity_days=365)
    zoe = create("zoe-mueller.qkey", None, package="quantum-cloud", user="Zoë Müller",
                 machine_id="89ABCDEF0123456789ABCDEF01234567", features=["core", "Pro", "PRO", "api"], validity_days=365)
    cjk = create("cjk.qkey", OTHER_PASSWORD, package="ai-models", user="山田太郎（やまだ たろう）",
                 machine_id="fedcba9876543210fedcba9876543210", features=["core", "推論", "学習"], validity_days=730)
    create("cyrillic.json", None, package="quantum-metalearn", user="Иван Петров",
           machine_id="00112233445566778899aabbccddeeff", features=["core", "🚀 turbo", "Ünlimited", "ünlimited"], validity_days=365)
    create("expired.qkey", None, package="quantum-sim", user="José Ñúñez",
           machine_id="0123456789abcdef0123456789abcdef", features=["core"], validity_days=30)
    create("unsigned.json", None, sign=False, package="quantum-sim", user="Ελένη Παπαδοπούλου",
           machine_id="0123456789abcdef0123456789abcdef", features=["core"], validity_days=365)

    # Members of any name and value, given to sign_license directly: names
    # that sort apart by code point and by UTF-16 code unit (U+FB01 against
    # U+1F600), astral characters, floats that Python spells its own way
    # (5.0, 1e-07), and the characters its ensure_ascii escapes differently.
    extras = {
        "package": "quantum-cloud",
        "user": "𝔄𝔡𝔞 Lovelace",
        "machine_id": "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
        "issued": "2026-01-15T09:30:00+01:00",
        "expires": "2027-01-15T09:30:00+01:00",
        "features": ["core", "𝔭𝔯𝔬", "😀 smile"],
        "\U0001F600": "grinning face, U+1F600",
        "\uFB01": "latin small ligature fi, U+FB01",
        "ratio": 5.0,
        "epsilon": 1e-07,
        "price": 1234.5,
        "tenth": 0.1,
        "note": "tab\t, DEL \x7f, line separator \u2028, quote \", slash /",
        "limits": {"seats": 25, "\U0001F680": [5.0, 1e-07], "ﬀ": {"é": 0.5}},
    }
    extras_qkey = sign_document("extras.qkey", extras, None)
    sign_document("extras.json", extras, None)

    tamper("zoe-mueller-tampered-features.qkey", zoe, "features", ["core", "Pro", "PRO", "api", "enterprise"])
    tamper("cjk-tampered-expires.qkey", cjk, "expires", "2099-01-15T09:30:00.123456")
    tamper("extras-tampered-epsilon.qkey", extras_qkey, "epsilon", 1e-06)

    manifest = {
        "issuer": f"quantummeta-license {PACKAGE_VERSION} (PyPI)",
        "form": "python",
        "public_key": base64.b64encode(public).decode("ascii"),
        "default_password": "quantummeta",
        "files": files,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "manifest.json").write_bytes(text.encode("utf-8"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
