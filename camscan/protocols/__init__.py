"""One module per wire protocol. Each is pure: it builds its own probe message and parses
replies into Evidence, with no sockets inside, so live scans, pcap replays and tests share it."""
