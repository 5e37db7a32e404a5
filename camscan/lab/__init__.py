"""The lab: emulated cameras, recorders and bystanders for tests, demos and the pcaps/ captures.

`profiles/*.toml` describe one device each (data: addresses, what it answers on each
protocol, and the inventory row a correct scan must produce); `profile.py` loads and checks
them; `answers/` (one module per protocol) turns a profile into the exact bytes that device
sends. The pcap generator (tools/make_pcaps.py) and a live lab built from network namespaces
both use these.

profile.py and answers/ are pure: they open no socket, read no clock and draw no random
number, so captures built from them are repeatable. Only the live-lab modules here (network
namespaces and the emulator serving answers/) touch the network, and only inside the lab's
own namespaces. Nothing in this package may be imported by the scanning code paths: the lab
exists so camscan can be tested without a real network.
"""
