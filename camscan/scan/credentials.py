"""Accounts for credentialed identification, from a TOML file or the environment — never from
the command line (it would sit in shell history and `ps`).

    [default]                      # or CAMSCAN_USERNAME / CAMSCAN_PASSWORD in the environment
    username = "viewer"
    password = "..."

    [[range]]                      # the narrowest matching range wins
    targets = ["198.18.0.0/24"]
    username = "admin"
    password = "..."

    [[host]]                       # a single device wins over any range
    ip = "198.18.0.13"
    username = "admin"
    password = "..."

A file any other user can read or write (any group or other permission bit), or that another
user owns, is refused. One account is chosen per device, and it is tried
once: camscan never guesses passwords and never retries in a way that could lock an account.
Passwords are kept out of every message, log, export and capture (only digests go on the wire).
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import netaddr

from camscan.errors import InputError


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    origin: str  # where it came from, for messages: "creds.toml [[host]] 198.18.0.13"

    def __repr__(self) -> str:  # never print the password, even by accident
        return f"Account({self.username!r}, origin={self.origin!r})"


class Credentials:
    """Which account to use for a device."""

    def __init__(self, default: Account | None, ranges: list[tuple[netaddr.IPSet, Account]],
                 hosts: dict[str, Account]) -> None:
        self.default, self.ranges, self.hosts = default, ranges, hosts

    def __bool__(self) -> bool:
        return bool(self.default or self.ranges or self.hosts)

    def for_ip(self, ip: str) -> Account | None:
        named = self.named_for(ip)
        return named if named is not None else self.default

    def named_for(self, ip: str) -> Account | None:
        """The account the file names for `ip` ([[host]], else the narrowest [[range]]), not the
        default: the default is offered only with care (offer.py)."""
        if ip in self.hosts:
            return self.hosts[ip]
        best: tuple[int, Account] | None = None
        for ipset, acct in self.ranges:
            if ip in ipset and (best is None or ipset.size < best[0]):
                best = (ipset.size, acct)
        return best[1] if best else None


def _account(table: object, where: str) -> Account:
    if not isinstance(table, dict):
        raise InputError(f"{where}: must be a table with username and password")
    user, pw = table.get("username"), table.get("password")
    if not isinstance(user, str) or not user:
        raise InputError(f"{where}: username missing")
    if not isinstance(pw, str):
        raise InputError(f"{where}: password missing")
    return Account(user, pw, where)


def _check_private(path: str, st: os.stat_result) -> None:
    """Refuse a credentials file any other user could read or change: any group or other
    permission bit (a writable file is as bad as a readable one — another user could point the
    account at a device of their choosing), or a file owned by someone else."""
    mode = stat.S_IMODE(st.st_mode)
    fix = f"run: chmod 600 {path}"
    if mode & stat.S_IROTH:
        raise InputError(f"{path}: readable by every user (mode {mode:04o}); {fix}")
    if mode & (stat.S_IWOTH | stat.S_IXOTH):
        raise InputError(f"{path}: writable or executable by every user (mode {mode:04o}); {fix}")
    if mode & stat.S_IRWXG:
        raise InputError(f"{path}: open to the file's group (mode {mode:04o}); {fix}")
    me = os.geteuid()
    if st.st_uid != me:
        raise InputError(f"{path}: owned by user id {st.st_uid}, not by the user running camscan ({me}); "
                         f"run: chown {me} {path}")


def load(path: str | None, environ: dict[str, str] | None = None) -> Credentials:
    """Credentials from `path` (TOML) and/or CAMSCAN_USERNAME/CAMSCAN_PASSWORD."""
    env = os.environ if environ is None else environ
    default = None
    if env.get("CAMSCAN_USERNAME"):
        default = Account(env["CAMSCAN_USERNAME"], env.get("CAMSCAN_PASSWORD", ""), "environment")
    ranges: list[tuple[netaddr.IPSet, Account]] = []
    hosts: dict[str, Account] = {}
    if path:
        p = Path(path)
        try:
            st = p.stat()
        except OSError as exc:
            raise InputError(f"{path}: cannot read credentials ({exc.strerror})") from None
        _check_private(path, st)
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"{path}: cannot read credentials ({exc.strerror})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            # the parser's message names the line; it never contains the file's values
            raise InputError(f"{path}: not valid TOML ({str(exc).splitlines()[0][:80]})") from None
        unknown = set(doc) - {"default", "range", "host"}
        if unknown:
            raise InputError(f"{path}: unknown section [{sorted(unknown)[0]}] (use default, range, host)")
        if "default" in doc:
            default = _account(doc["default"], f"{path} [default]")
        for i, entry in enumerate(doc.get("range", []), 1):
            where = f"{path} [[range]] #{i}"
            targets = entry.get("targets") if isinstance(entry, dict) else None
            if isinstance(targets, str):
                targets = [targets]
            try:
                ipset = netaddr.IPSet(targets or [])
            except (netaddr.AddrFormatError, ValueError, TypeError):
                raise InputError(f"{where}: targets must be CIDRs or addresses") from None
            if not ipset:
                raise InputError(f"{where}: targets missing")
            ranges.append((ipset, _account(entry, where)))
        for i, entry in enumerate(doc.get("host", []), 1):
            where = f"{path} [[host]] #{i}"
            ip = entry.get("ip") if isinstance(entry, dict) else None
            try:
                ip = str(netaddr.IPAddress(ip, 4))
            except (netaddr.AddrFormatError, ValueError, TypeError):
                raise InputError(f"{where}: ip must be an IPv4 address") from None
            hosts[ip] = _account(entry, f"{path} [[host]] {ip}")
    return Credentials(default, ranges, hosts)
