#!/usr/bin/env python3
"""Peer for the HID benchmarks: hid-tools (PyPI `hid-tools`, the parser the shared reference used to
decode the corpus) on the same Jabra EVOLVE LINK MS descriptor and the same press/release reports.

Prints per-operation times in the units the Timbre benchmark prints. Usage:
  python3 hidtools_peer.py <descriptor.bin>
"""
import sys
import timeit

import hidtools.hid as hid

descriptor = open(sys.argv[1], "rb").read()

n = 2000
parse = timeit.timeit(lambda: hid.ReportDescriptor.from_bytes(descriptor), number=n) / n
print(f"hid-tools descriptor parse ({len(descriptor)} B): {parse * 1e6:.1f} us")

rdesc = hid.ReportDescriptor.from_bytes(descriptor)
press = [0x02, 0x05, 0x00]
release = [0x02, 0x01, 0x00]
# format_report decodes every field of the report (hid-tools has no call-control state machine; this
# is the decode half of Timbre's "input report to event").
m = 20000
decode = timeit.timeit(lambda: (rdesc.format_report(press), rdesc.format_report(release)), number=m) / m
print(f"hid-tools decode press+release reports: {decode * 1e9:.0f} ns")
