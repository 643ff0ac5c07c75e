"""The issuers' files under testvectors/issuers are what their producers
write today: quantummeta/issue.py run again gives the same bytes, what the
package signed is CPython's json.dumps form of each document, and the
Python recipe of docs/issuers.md writes its committed output."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from conftest import REPO

ISSUERS = REPO / "testvectors" / "issuers"
QUANTUMMETA = ISSUERS / "quantummeta"
RECIPES = ISSUERS / "recipes"


def python_form(doc: Dict[str, Any]) -> bytes:
    """CPython's json.dumps with sort_keys and compact separators, its
    other defaults kept: the form QuantumMeta signs."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("ascii")


def verifies(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public.verify(signature, message)
        return True
    except InvalidSignature:
        return False


def manifest(directory: Path) -> Dict[str, Any]:
    v: Dict[str, Any] = json.loads((directory / "manifest.json").read_text("utf-8"))
    return v


def open_qkey(data: bytes, password: str) -> bytes:
    """A .qkey file's plaintext: salt(16) nonce(12) tag(16) ciphertext,
    PBKDF2-HMAC-SHA256 100,000 iterations, AES-256-GCM."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=data[:16], iterations=100_000)
    return AESGCM(kdf.derive(password.encode("utf-8"))).decrypt(data[16:28], data[44:] + data[28:44], None)


def committed(directory: Path) -> List[str]:
    return sorted(p.name for p in directory.iterdir() if p.is_file() and p.suffix != ".py")


def test_quantummeta_files_are_the_package_output(tmp_path: Path) -> None:
    if importlib.util.find_spec("quantummeta_license") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("quantummeta-license is not installed (python/requirements-dev.txt pins it)")
        pytest.skip("quantummeta-license is not installed: testvectors/issuers/quantummeta is not issued again")
    subprocess.run([sys.executable, str(QUANTUMMETA / "issue.py"), str(tmp_path)], check=True)
    assert committed(tmp_path) == committed(QUANTUMMETA)
    for name in committed(QUANTUMMETA):
        assert (tmp_path / name).read_bytes() == (QUANTUMMETA / name).read_bytes(), f"{name} differs: run make issuers"


def test_quantummeta_signed_the_python_form() -> None:
    m = manifest(QUANTUMMETA)
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(m["public_key"]))
    signed = 0
    for f in m["files"]:
        data = (QUANTUMMETA / f["file"]).read_bytes()
        text = open_qkey(data, f["password"] or m["default_password"]) if f["encrypted"] else data
        doc = json.loads(text)
        if f["signed_payload"] is None:
            assert "signature" not in doc, f["file"]
            continue
        signature = base64.b64decode(doc.pop("signature"))
        payload = f["signed_payload"].encode("ascii")
        assert verifies(public, signature, payload), f"{f['file']}: the recorded payload is not what was signed"
        if f.get("tampered"):
            assert python_form(doc) != payload, f["file"]
            assert not verifies(public, signature, python_form(doc)), f["file"]
        else:
            assert python_form(doc) == payload, f"{f['file']}: the package signed another form"
        signed += 1
    assert signed >= 8


def test_python_recipe_writes_its_committed_output(tmp_path: Path) -> None:
    out = tmp_path / "python.json"
    subprocess.run([sys.executable, str(RECIPES / "python.py"), str(out)], check=True)
    assert out.read_bytes() == (RECIPES / "out" / "python.json").read_bytes(), "run make issuers"
    m = manifest(RECIPES)
    doc = json.loads(out.read_bytes())
    signature = base64.b64decode(doc.pop("signature"))
    assert doc == m["document"]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(m["public_key"]))
    assert verifies(public, signature, python_form(doc))
