"""The evidence file store: a directory of AES-GCM ciphertexts under random names (ACC-2).

Each file is encrypted under its case's own key (issue 18, app.db.encryption.CaseFileCipher; files from before
per-case keys: under their own data key, wrapped by the master key); its stored name is bound as associated data, so a ciphertext renamed to another file's name does not decrypt. Writes are atomic: the
ciphertext goes to a temporary file, is flushed to disk, then linked under its final name, so a reader never
sees half a file. The methods block (disk and CPU); async callers run them in a thread.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from app.db.encryption import CaseFileCipher, Cipher

_NAME = re.compile(r"^[0-9a-f]{32}$")
_TEMP_SUFFIX = ".tmp"


class FileStore:
    def __init__(self, root: Path, cipher: Cipher | CaseFileCipher) -> None:
        self.root = root
        self._cipher = cipher

    @staticmethod
    def new_name() -> str:
        """128 random bits: unguessable, and nothing of the uploader's file name."""
        return secrets.token_hex(16)

    def put(self, name: str, plaintext: bytes) -> None:
        """Encrypt and write atomically; refuses to replace an existing file."""
        final = self._path(name)
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        blob = self._cipher.encrypt(plaintext, _context(name))
        temp = final.parent / f".{name}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
            os.link(temp, final)  # unlike rename, never replaces a file already there
        finally:
            temp.unlink(missing_ok=True)
        _fsync_dir(final.parent)

    def raw(self, name: str) -> bytes:
        """The stored ciphertext as it is (which key it is under: its first byte)."""
        return self._path(name).read_bytes()

    def get(self, name: str) -> bytes:
        return self._cipher.decrypt(self._path(name).read_bytes(), _context(name))

    def remove(self, name: str) -> None:
        try:
            self._path(name).unlink(missing_ok=True)
        except NotADirectoryError:  # the store's folder is not a folder: nothing was written there
            pass

    def check_writable(self) -> None:
        """Make the store's folder (owner-only) if needed and write, flush and remove a probe file in it: an OSError
        (a folder the service's user may not write, a read-only or full disk) says the store cannot take evidence."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = self.root / f".probe.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"probe")
            os.fsync(fd)
        finally:
            os.close(fd)
            probe.unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def names_older_than(self, seconds: float) -> list[str]:
        """Stored names last written more than `seconds` ago; stale temporary files (a crashed write) are
        removed on the way."""
        if not self.root.is_dir():
            return []
        cutoff = time.time() - seconds
        names = []
        for path in self.root.glob("*/*"):
            try:
                old = path.stat().st_mtime < cutoff
            except FileNotFoundError:
                continue
            if path.name.endswith(_TEMP_SUFFIX):
                if old:
                    path.unlink(missing_ok=True)
            elif old and _NAME.match(path.name):
                names.append(path.name)
        return names

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError("not a stored name")
        return self.root / name[:2] / name


def _context(name: str) -> str:
    return f"evidence:{name}"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
