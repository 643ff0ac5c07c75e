"""The result codes of docs/formats.md ("Result codes"), in its order: the
``code`` of every result, and of a LicverifyError for a keyring that does
not load. A test fails when this list and the document's table differ."""

from __future__ import annotations

from typing import Literal, Tuple, get_args

#: A result code. ``code`` is stable and meant for programs; a module newer
#: than this package may answer a code this list does not have yet.
Code = Literal[
    "ok",
    "malformed_json",
    "duplicate_key",
    "input_too_large",
    "missing_field",
    "invalid_field",
    "unsupported_schema",
    "unsupported_alg",
    "malformed_signature",
    "weak_key",
    "signature_missing",
    "unknown_key",
    "key_not_valid",
    "bad_signature",
    "not_yet_valid",
    "proof_expired",
    "ttl_too_long",
    "license_mismatch",
    "product_mismatch",
    "device_required",
    "device_mismatch",
    "epoch_rollback",
    "revoked",
    "suspended",
    "expired",
    "trial_expired",
    "set_expired",
    "delta_base_mismatch",
    "offline_too_long",
    "decrypt_failed",
    "clock_rollback",
    "proof_missing",
    "not_newer",
]

#: Every result code, in the order of docs/formats.md.
CODES: Tuple[Code, ...] = get_args(Code)
