"""The exceptions of the package. A verification that fails is a result
(``valid`` is False), never an exception: these are for misuse, for
configuration the module cannot use, and for the module failing."""

from __future__ import annotations

from typing import Optional

from ._codes import Code


class LicverifyError(ValueError):
    """A request the module refused, or configuration it cannot use.

    - Misuse: the module's ``licverify: bad request: ...`` (a missing
      ``keys`` or ``now``, a value out of bounds, an option string holding
      a lone surrogate, a request over 72 MiB), or the package used wrongly
      (a closed verifier or set). ``code`` is None.
    - A keyring that does not load: the module's
      ``licverify: keyring: ...`` (a weak key, an unsupported algorithm, a
      private key, more than 64 keys, not a keyring at all). ``code`` is the
      result code of the problem, such as ``"weak_key"``: fix the keyring in
      your configuration, not the document, which was never checked.

    A ValueError, so that ``except ValueError`` catches every misuse the
    package reports, whether found before or by the module."""

    #: For a keyring that does not load, the result code of the problem
    #: (``weak_key``, ``unsupported_alg``, ``invalid_field``, ...); None
    #: for every other error.
    code: Optional[Code]

    def __init__(self, message: str, code: Optional[Code] = None) -> None:
        super().__init__(message)
        self.code = code


class ModuleCrash(RuntimeError):
    """The module trapped, exited or reported an internal error, and did so
    again on a fresh instance. The message carries what the module wrote to
    stderr. It is a bug to report, never a verdict."""
