"""A sensor for the store tests, run as its own process: records N scans of R devices each through
the same path `camscan scan` takes (record_or_spool), printing 'server' or 'spool' per scan.

    python tests/pg_sensor.py SENSOR SCANS ROWS PAUSE     (the store: $CAMSCAN_DB; spool: $CAMSCAN_SPOOL)

Every device's serial names its sensor, scan and row, and the scan's target names the sensor
and scan, so a test can prove no scan was lost, duplicated, cut short or mixed with another.
"""

from __future__ import annotations

import sys
import time

from camscan.model import Device, Inventory
from camscan.store import resolve
from camscan.store.push import record_or_spool


def main() -> None:
    sensor, scans, rows, pause = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    target = resolve(None)
    for n in range(scans):
        devices = [Device(ip=f"10.{sensor}.{n % 250}.{r % 250}", mac=f"44:19:b6:{sensor:02x}:{n:02x}:{r % 256:02x}",
                          manufacturer="Hikvision", device_type="camera", serial=f"S{sensor}-{n}-{r}",
                          evidence=["arp", "sadp"], provenance={"serial": "sadp"}) for r in range(rows)]
        inv = Inventory(devices=devices, targets=[f"sensor{sensor}-scan{n}"],
                        scanned_at=f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}+00:00")
        ok = record_or_spool(inv, "scan", target, f"site{sensor}", lambda m: print(m, file=sys.stderr))
        print("server" if ok else "spool", flush=True)
        time.sleep(pause)


if __name__ == "__main__":
    main()
