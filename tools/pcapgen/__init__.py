"""The capture generator behind tools/make_pcaps.py, split by protocol the way camscan's parsers
are: each module writes one protocol's side of the conversation (camscan's probes come from
camscan.protocols, the devices' answers from camscan.lab.answers)."""
