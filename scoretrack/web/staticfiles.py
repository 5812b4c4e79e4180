"""Static files collected when their sources change, never on every start, never raced.

Collecting with whitenoise's compressed manifest storage takes 20 to 55 s (brotli on
every file), which `scoretrack serve` used to spend on each start. Now:

- The *fingerprint* of the sources is a hash of what `collectstatic` would read: every
  file the staticfiles finders list (its path in STATIC_ROOT and its contents: 210
  files, 11 MB, about 20 ms to hash; contents and not mtimes, which a git checkout or
  a copy changes without changing a byte) and what turns them into the output (the
  storage backend and its options, the whitenoise settings, Django's and whitenoise's
  versions).
- `STATIC_ROOT` is a symbolic link to `<STATIC_ROOT>.versions/<fingerprint>`, a folder
  only ever renamed into place complete. A start whose fingerprint is the link's target
  does nothing more (reading a link: no lock, no wait).
- Otherwise the start takes an exclusive lock (`flock` on `<STATIC_ROOT>.lock`),
  looks again (a server started at the same moment may just have collected), collects
  into a fresh temporary folder, renames it to its version name and swaps the link
  atomically (`rename` of a new link over the old one), then deletes the other
  versions. A crash leaves the old link and a temporary folder that the next collect
  deletes; the kernel drops the lock of a dead process.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.management.commands.collectstatic import (
    Command as CollectStatic,
)
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError

# collectstatic's own default ignore patterns: the files it would leave out.
IGNORE_PATTERNS = ["CVS", ".*", "*~"]
LOCK_TIMEOUT_SECONDS = 600.0
TEMPORARY_PREFIX = ".collecting-"


def source_files() -> dict[str, Path]:
    """Each file collectstatic would copy, by its path in STATIC_ROOT: the first
    finder that lists a path wins, as in collectstatic."""
    found: dict[str, Path] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(IGNORE_PATTERNS):
            prefix = getattr(storage, "prefix", None)
            name = f"{prefix}/{path}" if prefix else path
            found.setdefault(name.replace(os.sep, "/"), Path(storage.path(path)))
    return found


def sources_fingerprint() -> str:
    digest = hashlib.sha256()
    recipe = [
        repr(settings.STORAGES["staticfiles"]),
        settings.STATIC_URL,
        repr([(name, getattr(settings, name)) for name in dir(settings) if "WHITENOISE" in name]),
        version("django"),
        version("whitenoise"),
    ]
    digest.update("\0".join(recipe).encode())
    for name, path in sorted(source_files().items()):
        digest.update(b"\0" + name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def static_root() -> Path:
    return Path(os.path.abspath(settings.STATIC_ROOT))


def versions_dir(root: Path) -> Path:
    return root.with_name(root.name + ".versions")


def current_version(root: Path) -> str | None:
    """The fingerprint STATIC_ROOT holds: the name of the folder its link points to
    (None when it is no link, or a dangling one)."""
    try:
        target = os.readlink(root)
    except OSError:
        return None
    if Path(target).parent.name != versions_dir(root).name or not root.is_dir():
        return None
    return Path(target).name


def collect_if_changed(log: Callable[[str], object] = print) -> bool:
    """Collects the static files when their sources changed since the last collect;
    True when it collected."""
    root = static_root()
    fingerprint = sources_fingerprint()
    if current_version(root) == fingerprint:
        return False
    with exclusive_lock(root.with_name(root.name + ".lock"), log):
        if current_version(root) == fingerprint:
            return False  # collected by a server started at the same time
        versions = versions_dir(root)
        versions.mkdir(parents=True, exist_ok=True)
        remove_leftovers(versions)
        if not (versions / fingerprint).is_dir():  # else complete: renamed in whole
            started = time.monotonic()
            log("Collecting the static files (their sources changed)…")
            temporary = versions / f"{TEMPORARY_PREFIX}{fingerprint}-{os.getpid()}"
            collect_into(temporary)
            os.rename(temporary, versions / fingerprint)
            log(f"Static files collected in {time.monotonic() - started:.1f} s.")
        point_link(root, Path(versions.name) / fingerprint)
        remove_leftovers(versions, keep=fingerprint)
    return True


@contextlib.contextmanager
def exclusive_lock(path: Path, log: Callable[[str], object]) -> Iterator[None]:
    """`flock` on PATH, waited for up to LOCK_TIMEOUT_SECONDS: a holder that hangs
    ends this start with a message instead of stopping it for ever."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        waiting = False
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"{path} has been locked by another process for "
                        f"{LOCK_TIMEOUT_SECONDS:.0f} s: is a collect of the static files stuck?"
                    ) from None
                if not waiting:
                    log("Another process is collecting the static files: waiting for it…")
                    waiting = True
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def collect_into(folder: Path) -> None:
    """Django's collectstatic with the configured storage, writing to FOLDER."""
    config = settings.STORAGES["staticfiles"]
    storage = storages.create_storage(
        {**config, "OPTIONS": {**config.get("OPTIONS", {}), "location": str(folder)}}
    )
    command = CollectStatic()
    command.storage = storage
    call_command(command, interactive=False, verbosity=0)


def point_link(root: Path, target: Path) -> None:
    """Makes ROOT a link to TARGET (relative to ROOT's folder) in one rename. A real
    folder at ROOT (collected before this module) is first moved aside: the only
    moment ROOT is missing, once, under the lock."""
    link = root.with_name(f".{root.name}.link-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(target, link)
    if root.is_dir() and not root.is_symlink():
        aside = versions_dir(root) / f"{TEMPORARY_PREFIX}old-{os.getpid()}"
        os.rename(root, aside)
    os.replace(link, root)


def remove_leftovers(versions: Path, keep: str | None = None) -> None:
    """Deletes the temporary folders of VERSIONS, left by a collect that crashed (none
    is running: we hold the lock), and with KEEP every version but KEEP."""
    for entry in versions.iterdir():
        if entry.name.startswith(TEMPORARY_PREFIX) or (keep and entry.name != keep):
            shutil.rmtree(entry, ignore_errors=True)
