"""Where the history lives, and where its password may come from.

`--db` (or `$CAMSCAN_DB`) is either an SQLite file or a `postgresql://` URL; `@FILE` reads the
value from a config file instead (TOML, `url = "..."`). A PostgreSQL password may come from:

- the environment (`PGPASSWORD`, or a URL with a password in `$CAMSCAN_DB`), as libpq reads it;
- a `~/.pgpass`-style file (`$PGPASSFILE` or `~/.pgpass`), which libpq reads;
- the URL inside a config file named with `@FILE`;

and never from the command line (it would sit in shell history and `ps` for every user to
read): a URL with a password given to `--db` is refused with a one-line error saying where to
put it. A password file or config file that the group or other users can read is refused, the
rule device credentials follow. No message camscan prints holds the password: `display` is the
URL without it, and `redact()` scrubs anything a driver says.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from camscan.errors import InputError

SCHEMES = ("postgresql", "postgres")
_KEYWORDS = re.compile(r"^\s*(host|hostaddr|port|dbname|user|password|service|sslmode)\s*=", re.IGNORECASE)
_WHERE_TO_PUT_IT = ("put the password in PGPASSWORD, in ~/.pgpass (chmod 600), or the whole URL in a config "
                    "file only you can read and give --db @FILE")


@dataclass(frozen=True)
class Target:
    """A history database: an SQLite `path`, or a PostgreSQL `url` (which may hold a password)."""

    path: Path | None = None
    url: str = ""
    display: str = ""  # for messages: the path, or the URL without its password
    secret: str = ""  # the password when camscan knows it, so messages can be scrubbed of it

    @property
    def is_postgres(self) -> bool:
        return bool(self.url)

    def __repr__(self) -> str:  # never print the password, even by accident
        return f"Target({self.display!r})"


def data_dir(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """$XDG_DATA_HOME/camscan (XDG's default data home is ~/.local/share; a relative
    $XDG_DATA_HOME is ignored, as the XDG spec says)."""
    env = os.environ if environ is None else environ
    data_home = env.get("XDG_DATA_HOME", "")
    base = Path(data_home) if data_home and Path(data_home).is_absolute() else Path.home() / ".local" / "share"
    return base / "camscan"


def default_db_path() -> Path:
    """$CAMSCAN_DB if set (and a file, not a URL), else the data directory's history.sqlite3."""
    explicit = os.environ.get("CAMSCAN_DB", "")
    if explicit and not is_url(explicit) and not explicit.startswith("@"):
        return Path(explicit).expanduser()
    return data_dir() / "history.sqlite3"


def spool_path() -> Path:
    """Where a sensor keeps scans the central store could not take: $CAMSCAN_SPOOL, else the
    data directory's spool.sqlite3."""
    explicit = os.environ.get("CAMSCAN_SPOOL", "")
    return Path(explicit).expanduser() if explicit else data_dir() / "spool.sqlite3"


def is_url(value: str) -> bool:
    return value.split("://", 1)[0].lower() in SCHEMES and "://" in value


def check_private(path: Path, what: str) -> None:
    """Refuse a secrets file that the group or other users can read."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror})") from None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        raise InputError(f"{path}: {what} readable by other users (mode {mode:04o}); run: chmod 600 {path}")


def _from_config(path_text: str) -> str:
    path = Path(path_text).expanduser()
    check_private(path, "database config")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read database config ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # the parser names the line, never the file's values
        raise InputError(f"{path}: not valid TOML ({str(exc).splitlines()[0][:80]})") from None
    url = doc.get("url")
    if not isinstance(url, str) or not url.strip():
        raise InputError(f'{path}: give the database as url = "postgresql://user@host/db" (or an SQLite path)')
    return url.strip()


def password_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return parts.password
    return (parse_qs(parts.query).get("password") or [""])[0]


def without_password(url: str) -> str:
    """The URL as messages may show it: no password in the user part nor in the query."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith("password="))
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _check_pgpass(env: dict[str, str] | os._Environ[str]) -> None:
    path = Path(env.get("PGPASSFILE") or Path.home() / ".pgpass").expanduser()
    if path.exists():
        check_private(path, "password file")


def resolve(option: str | None, environ: dict[str, str] | os._Environ[str] | None = None) -> Target:
    """The database `--db` names (or $CAMSCAN_DB, or the default SQLite file), checked for
    where its password comes from. Raises InputError with a one-line reason."""
    env = os.environ if environ is None else environ
    if option:
        value, on_command_line = option, True
    elif env.get("CAMSCAN_DB"):
        value, on_command_line = env["CAMSCAN_DB"], False
    else:
        return Target(path=data_dir(env) / "history.sqlite3", display=str(data_dir(env) / "history.sqlite3"))
    if value.startswith("@"):
        value, on_command_line = _from_config(value[1:]), False
    if "://" in value and not is_url(value):
        raise InputError(f"--db {value.split('://', 1)[0]}://…: camscan stores history in SQLite (a file path) "
                         f"or PostgreSQL (postgresql://user@host/db)")
    if _KEYWORDS.match(value):  # libpq's "host=… dbname=…" form: would otherwise become a file name
        raise InputError("--db: give the server as a URL, postgresql://user@host:port/dbname?option=value "
                         "(libpq's key=value form is not taken)")
    if not is_url(value):
        path = Path(value).expanduser()
        return Target(path=path, display=str(path))
    secret = password_of(value)
    if secret and on_command_line:
        raise InputError(f"--db: the URL holds a password, which other users can read on a command line; "
                         f"{_WHERE_TO_PUT_IT}")
    if not secret and not env.get("PGPASSWORD"):
        _check_pgpass(env)
    return Target(url=value, display=without_password(value), secret=secret or env.get("PGPASSWORD", ""))


_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def redact(text: str, *secrets: str) -> str:
    """`text` with every password in it (known ones, and any in a URL or key=value) as ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _KEYWORD_PASSWORD.sub(r"\1***", text)
