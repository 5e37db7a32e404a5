"""Device notes in plain language for the HTML report.

The notes parsers and the scanner write are for the record (they stay word for word in the JSON):
`onvif fault: ActionNotSupported (...)`, `channels: analog=4 digital=0`, `xaddr http://...`.
A person reading the report gets a sentence instead, and protocol detail that tells them nothing
(service addresses, processor names, raw type codes) is left out. A note no rule knows is shown
as it is, so nothing is lost.

The rules read the notes' text only to choose the sentence shown; nothing is decided from them
(tests/test_no_note_branching.py lists this module as presentation only). Advisory findings
are typed (Device.findings) and worded from their fields, not from their note.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from camscan.model import AdvisoryFinding

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _fault(m: re.Match[str]) -> str:
    code = m.group(1)
    if "NotAuthorized" in code or "NotAuthorised" in code:
        return "Its ONVIF interface wants an account before it says more."
    if "ActionNotSupported" in code or "NotSupported" in code:
        return "Its ONVIF interface does not offer that request."
    return f"Its ONVIF interface answered with an error ({code})."


def _channels(m: re.Match[str]) -> str:
    analogue, digital = int(m.group(1)), int(m.group(2))
    parts = [f"{analogue} analogue" if analogue else "", f"{digital} network (IP)" if digital else ""]
    said = " and ".join(p for p in parts if p)
    return f"Has inputs for {said} cameras." if said else "Reports no camera inputs."


_RULES: tuple[Rule, ...] = (
    (re.compile(r"^onvif fault: (\S+)"), _fault),
    (re.compile(r"^xaddr "), lambda m: ""),
    (re.compile(r"^(?:reports IPv4 ?[Aa]ddress) (\S+)"),
     lambda m: f"Says its own address is {m.group(1)}, not the one it answered from (a second network card, "
               "or an address translated on the way)."),
    (re.compile(r"^not activated"), lambda m: "Not activated: no administrator password has been set yet, so "
                                               "anyone on the network could set one."),
    (re.compile(r"^channels: analog=(\d+) digital=(\d+)"), _channels),
    (re.compile(r"^channels: (\d+)"), lambda m: f"Has inputs for {m.group(1)} cameras."),
    (re.compile(r"^PTZ nodes: \d+"), lambda m: "Can pan, tilt and zoom (it offers PTZ control)."),
    (re.compile(r"^video sources: (\d+)"), lambda m: f"Has {m.group(1)} video source(s)."),
    (re.compile(r"^self-signed certificate"), lambda m: "Uses a self-signed certificate for HTTPS."),
    (re.compile(r"^locally administered"), lambda m: "Uses a randomised network (MAC) address, so its maker "
                                                      "cannot be read from it."),
    (re.compile(r"^ONVIF refused the account"), lambda m: "Refused the account given for its ONVIF interface "
                                                           "(wrong password, or its clock is far off)."),
    (re.compile(r"^clock is (ahead|behind) by ([\d.]+ h)"), lambda m: f"Its clock is {m.group(1)} by "
                                                                      f"{m.group(2).replace(' h', ' hours')}."),
    (re.compile(r"^(\w+) refused the account \(HTTP (\d+)"),
     lambda m: f"Its own API ({m.group(1).upper()}) refused the account given (HTTP {m.group(2)})."),
    (re.compile(r"^ONVIF: (.+)"), lambda m: f"Its ONVIF interface reported a problem: {m.group(1)}"),
    (re.compile(r"^(\w+) [^:]*: HTTP (401|403)"),
     lambda m: f"Its own API ({m.group(1).upper()}) refused the request: the account was not accepted."),
    (re.compile(r"^(\w+) [^:]*: HTTP (\d+)"),
     lambda m: f"Its own API ({m.group(1).upper()}) answered HTTP {m.group(2)}."),
    (re.compile(r"^no complete answer within"), lambda m: "Did not answer its API requests in time."),
    (re.compile(r"^HTTPS certificate SHA-256 "), lambda m: ""),  # for the record (the JSON), not the reader
    (re.compile(r"^asked over HTTP$"), lambda m: ""),  # the tail of the HTTPS note below, split at its "; "
    (re.compile(r"^HTTPS on (\d+) failed"), lambda m: f"HTTPS on port {m.group(1)} failed, so it was asked over "
                                                      "plain HTTP."),
    (re.compile(r"^(\S+) answer unreadable: "), lambda m: f"Its answer to one request ({m.group(1)}) could not be "
                                                          "read; the rest of what it said is kept."),
    (re.compile(r"^API request failed"), lambda m: "A request to its own API failed."),
    (re.compile(r"^listed by the recorder"), lambda m: "Known from its recorder's list of cameras."),
    (re.compile(r"^DHCP "), lambda m: ""),
    (re.compile(r"^(?:HardwareId|deviceType|updateSerial|processor|type|address|host)="), lambda m: ""),
    (re.compile(r"^DeviceClass "), lambda m: ""),
)


def plain(note: str) -> str:
    """One raw note as a sentence ("" for protocol detail a reader does not need)."""
    for part_pattern, say in _RULES:
        m = part_pattern.match(note.strip())
        if m:
            return say(m)
    text = note.strip()
    return text[:1].upper() + text[1:] if text else ""


def plain_notes(notes: list[str], findings: list[AdvisoryFinding]) -> list[str]:
    """The notes a reader gets: each raw note split at `; ` (parsers join theirs) and said once,
    then each rule-of-thumb advisory finding."""
    out: dict[str, None] = {}
    for note in notes:
        for part in note.split("; "):
            if said := plain(part):
                out.setdefault(said, None)
    for f in findings:
        if f.heuristic:
            out.setdefault(f"Its firmware's build date suggests {f.id} may apply (a rule of thumb, not the "
                           "vendor's list of affected models).", None)
    return list(out)
