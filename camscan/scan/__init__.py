"""Live scanning: targets and scope, the chosen link, pacing, the capture, and the probes.

Every packet camscan sends goes through scope.Scope first; the probes never parse anything
themselves — what devices answer goes to the same Collector (or, with a capture, the same
replay) that reads pcap files.
"""
