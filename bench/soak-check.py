#!/usr/bin/env python3
"""Independent computation for bench/soak: reads the raw log files and the pipeline's final stream
and checks the totals and the alert transcript. Knows nothing of logpipe's code: it reads the
Common/Combined timestamps itself and applies the alert rule from docs/DESIGN.md."""
import json
import re
import sys
from collections import Counter
from datetime import datetime

STAMP = re.compile(rb'\[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2}) ([+-]\d{4})\] "')


def epoch(text, offset):
    moment = datetime.strptime(text.decode() + " " + offset.decode(), "%d/%b/%Y:%H:%M:%S %z")
    return int(moment.timestamp())


def main():
    threshold, window = float(sys.argv[1]), int(sys.argv[2])
    final_stream, logs = sys.argv[3], sys.argv[4:]
    hits, garbage, lines = Counter(), 0, 0
    for path in logs:
        with open(path, "rb") as log:
            for line in log:
                lines += 1
                match = STAMP.search(line)
                if match and not line.startswith(b"GARBAGE"):
                    hits[epoch(match.group(1), match.group(2))] += 1
                else:
                    garbage += 1
    buckets, events, windows = [], [], 0
    with open(final_stream, "rb") as stream:
        for raw in stream:
            record = json.loads(raw)
            kind = record["type"]
            if kind == "bucket":
                buckets.append(record)
            elif kind in ("alert", "recovery"):
                events.append((kind, record["at"], record["hits"]))
            elif kind == "window":
                windows += 1
    failures = []
    total = sum(hits.values())
    got = sum(b["hits"] for b in buckets)
    if got != total:
        failures.append(f"bucket hits {got} != {total} requests in the logs")
    invalid = sum(b["invalid"] for b in buckets)
    if invalid != garbage:
        failures.append(f"invalid {invalid} != {garbage} garbage lines")
    late = sum(b["late"] + b["dropped"] for b in buckets)
    if late:
        failures.append(f"{late} late or dropped requests in an ordered replay")
    if windows != len(buckets):
        failures.append(f"{windows} window records for {len(buckets)} buckets")
    # Per-second counts must match exactly.
    for bucket in buckets:
        for offset, count in enumerate(bucket["per_second"]):
            if hits.get(bucket["start"] + offset, 0) != count:
                failures.append(f"second {bucket['start'] + offset}: {count} != {hits.get(bucket['start'] + offset, 0)}")
                break
    # The rule: at every boundary t from the first bucket's start + 1 to the last bucket's end.
    expected, alerting, running = [], False, 0
    first, last = buckets[0]["start"], buckets[-1]["end"]
    for boundary in range(first + 1, last + 1):
        running += hits.get(boundary - 1, 0) - hits.get(boundary - 1 - window, 0)
        average = running / window
        if not alerting and average > threshold:
            alerting = True
            expected.append(("alert", boundary, running))
        elif alerting and average < threshold:
            alerting = False
            expected.append(("recovery", boundary, running))
    if events != expected:
        mismatch = next((i for i, pair in enumerate(zip(events, expected)) if pair[0] != pair[1]), min(len(events), len(expected)))
        failures.append(f"alert transcript differs at event {mismatch}: got {events[mismatch:mismatch + 2]}, expected {expected[mismatch:mismatch + 2]} ({len(events)} vs {len(expected)} events)")
    print(f"check: {lines} lines, {total} requests, {garbage} garbage, {len(buckets)} buckets, "
          f"{sum(1 for e in expected if e[0] == 'alert')} alerts and {sum(1 for e in expected if e[0] == 'recovery')} recoveries expected, "
          f"{len(events)} events seen: {'OK' if not failures else 'FAILED'}")
    for failure in failures:
        print("check: FAILED: " + failure)
    sys.exit(1 if failures else 0)


main()
