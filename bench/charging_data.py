"""Charging-process data import: speed and memory against merely reading the file.

    python bench/charging_data.py [--rows 300000] [--keep DIR]

Generates one year of charging sessions for 10 charging points as CSV (";", German
decimal commas and dates) and as .xlsx (date cells, number cells), then measures in
fresh processes, each file:
  floor  – only reading it: the csv module over the text / openpyxl read-only iter_rows
  import – reports.charging_data: sniffing, parsing, checking every row, per-point sums
and prints rows/s, the ratio import/floor in time, and the peak memory each process
added while reading (ru_maxrss after minus before). Memory is also measured at a tenth
of the rows: streaming means the peak must not grow with the file.
The database is not involved: the import makes a constant handful of queries whatever
the row count (tests/reports/test_charging_data.py asserts that).
"""

import argparse
import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POINTS = [(f"Ladepunkt {n}", Decimal("22") if n <= 8 else Decimal("150")) for n in range(1, 11)]
YEAR = 2027
DST_CHANGES = {datetime.date(2027, 3, 28), datetime.date(2027, 10, 31)}


def sessions(count: int, seed: int = 7):
    """(label, start, end, kWh) – plausible sessions spread over the year."""
    rng = random.Random(seed)
    year_start = datetime.datetime(YEAR, 1, 2)
    for index in range(count):
        label, power = POINTS[index % len(POINTS)]
        start = year_start + datetime.timedelta(minutes=rng.randrange(0, 360 * 24 * 60))
        if {start.date(), (start + datetime.timedelta(hours=10)).date()} & DST_CHANGES:
            start += datetime.timedelta(days=2)  # clock time = real time for the energy bound
        minutes = rng.randrange(10, 600)
        end = start + datetime.timedelta(minutes=minutes)
        kwh = round(float(power) * minutes / 60 * rng.uniform(0.1, 0.9), 3)
        yield label, start, end, kwh


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(["Ladepunkt", "Start", "Ende", "Energie (kWh)"])
        for label, start, end, kwh in sessions(count):
            writer.writerow([label, start.strftime("%d.%m.%Y %H:%M"),
                             end.strftime("%d.%m.%Y %H:%M"), f"{kwh:.3f}".replace(".", ",")])


def write_xlsx(path: Path, count: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ladevorgänge")
    sheet.append(["Ladepunkt", "Start", "Ende", "Energie (kWh)"])
    for label, start, end, kwh in sessions(count):
        sheet.append([label, start, end, kwh])
    workbook.save(path)


# --- one measurement, in a process of its own ---------------------------------------------


def measure(kind: str, mode: str, path: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "now_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import openpyxl  # noqa: F401  (imported before the "before" reading, in both modes)

    from reports import charging_data, uploads
    from reports.models import ChargingPoint

    points = [
        ChargingPoint(pk=n, label=label, power_kw=power, evse_id="",
                      commissioning_date=datetime.date(YEAR - 1, 6, 1))
        for n, (label, power) in enumerate(POINTS, start=1)
    ]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with path.open("rb") as handle:
        if mode == "floor" and kind == "csv":
            with path.open(encoding="utf-8-sig", newline="") as text:
                rows = sum(1 for _ in csv.reader(text, delimiter=";")) - 1
        elif mode == "floor":
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
            workbook.close()
        else:
            file_type = uploads.XLSX if kind == "xlsx" else uploads.CSV
            result = charging_data.check_rows(
                charging_data.iter_rows(handle, file_type), points, year=YEAR
            )
            assert result.error_count == 0, result.errors[:3]
            rows = result.row_count
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "seconds": seconds, "peak_kib": after - before}


def run_measurement(kind: str, mode: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind, mode, str(path)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, mode, path = args.measure
        print(json.dumps(measure(kind, mode, Path(path))))
        return

    directory = args.keep or Path(tempfile.mkdtemp(prefix="charging-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    small = max(args.rows // 10, 1)
    files = {}
    for count in (args.rows, small):
        for kind, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
            path = directory / f"sessions-{count}.{kind}"
            started = time.perf_counter()
            writer(path, count)
            files[kind, count] = path
            print(f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB "
                  f"in {time.perf_counter() - started:.1f} s", flush=True)

    print(f"\n{'file':<8}{'rows':>9}{'floor rows/s':>14}{'import rows/s':>15}{'time ratio':>12}"
          f"{'floor peak':>12}{'import peak':>13}{'import peak at 1/10':>21}")
    for kind in ("csv", "xlsx"):
        floor = run_measurement(kind, "floor", files[kind, args.rows])
        full = run_measurement(kind, "import", files[kind, args.rows])
        tenth = run_measurement(kind, "import", files[kind, small])
        assert floor["rows"] == full["rows"] == args.rows and tenth["rows"] == small
        print(f"{kind:<8}{args.rows:>9}{floor['rows'] / floor['seconds']:>14,.0f}"
              f"{full['rows'] / full['seconds']:>15,.0f}{full['seconds'] / floor['seconds']:>11.2f}x"
              f"{floor['peak_kib'] / 1024:>10.1f}MB{full['peak_kib'] / 1024:>11.1f}MB"
              f"{tenth['peak_kib'] / 1024:>19.1f}MB", flush=True)
    if not args.keep:
        for path in files.values():
            path.unlink()
        directory.rmdir()


if __name__ == "__main__":
    main()
