"""Rendering documents: the p50 of printing a one-page invoice and a 100-line invoice
through our service, as ratios to a bare WeasyPrint render of the same HTML measured in the
same run (the ceiling: our part is the template and the Factur-X).

    .venv/bin/python bench/documents.py [--quick] [--rounds 5] [--per-round 10]
                                        (make bench-documents)

For each size (1 line: one page; 100 lines: three pages), in `--rounds` interleaved rounds
of `--per-round` renders each, in this order:

- `bare`: `weasyprint.HTML(string=html).write_pdf()` of the HTML our template made (the
  baseline);
- `draft`: `printing.render_html` (the sandboxed template, from the `Document`) then
  `printing.render_pdf` (data-only URL fetcher): what `GET /transactions/{ID}/pdf` does for
  a draft, without the database read;
- `legal copy`: the HTML, a PDF/A-3b and the Factur-X XML embedded and checked against its
  XSD (`einvoicing.embed`): what issuing an invoice adds to its transaction.

The goal is a p50 of the one-page `draft` at most 250 ms on this machine.  Prints the table
and writes bench/results/documents.json.  In-process, no server, no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness import BENCH, finish, log, machine, source_state, versions

from comptoir.domain import documents as rules
from comptoir.domain import money
from comptoir.services import printing, templates

GOAL_MS = 250.0


def invoice(lines: int) -> rules.Document:
    """An issued invoice of `lines` lines, between two French companies."""
    sale = [money.SaleLine(Decimal(n % 5 + 1), Decimal("120.50") + n,
                           Decimal("20") if n % 3 else Decimal("5.5")) for n in range(lines)]
    totals = money.document_totals(sale)
    address = rules.Address("", "12 rue de la République", "69002", "Lyon", "", "FR")
    seller = rules.Party("Atelier Dupont", address, siren="732829320", siret="73282932000074",
                         vatid="FR44732829320", legalform="SARL", capital=Decimal(10000),
                         rcs="RCS Lyon 732 829 320", iban="FR7630006000011234567890189",
                         bic="AGRIFRPP")
    buyer = rules.Party("ACME SAS", rules.Address("", "5 avenue des Champs", "75008", "Paris",
                                                  "", "FR"), vatid="FR32552100554")
    return rules.Document(
        id=1, kind="invoice", type=3, number="FA-2026-00001", draft=False,
        date=dt.date(2026, 12, 7), duedate=dt.date(2027, 1, 6),
        deliverydate=dt.date(2026, 12, 5), currency="EUR", subject="", buyer_reference="",
        seller=seller, buyer=buyer, billing=buyer.address, shipping=buyer.address,
        lines=tuple(rules.Line(n + 1, f"Prestation {n + 1}", "", f"P{n:03}", s.quantity, "h",
                               s.unit_price, Decimal(0), net, s.vat_rate)
                    for n, (s, net) in enumerate(zip(sale, totals.line_nets, strict=True))),
        totals=totals, paid=Decimal(0), due=totals.total, terms_days=30,
        penalty_rate=Decimal("12.15"), vat_mention="")


def _bare(html: str) -> bytes:
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def operations(document: rules.Document) -> dict[str, Any]:
    template = templates.shipped("invoice", templates.DOCUMENT, "fr")
    html = printing.render_html(document, template)
    draft = rules.Document(**{**{f: getattr(document, f) for f in document.__slots__},
                              "draft": True})
    return {
        "bare": lambda: _bare(html),
        "draft": lambda: printing.render_pdf(printing.render_html(draft, template)),
        "legal copy": lambda: printing.pdf_bytes(document, printing.render_html(
            document, template)),
    }


def measure(lines: int, rounds: int, per_round: int) -> dict[str, Any]:
    ops = operations(invoice(lines))
    for run in ops.values():  # warm up: fonts, the XSD
        run()
    times: dict[str, list[float]] = {name: [] for name in ops}
    pages = 0
    for _ in range(rounds):
        for name, run in ops.items():
            for _ in range(per_round):
                started = time.perf_counter()
                pdf = run()
                times[name].append((time.perf_counter() - started) * 1000)
                pages = max(pages, pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"))
    p50s = {name: statistics.median(found) for name, found in times.items()}
    return {"lines": lines, "pages": pages, "renders": rounds * per_round, "ops": {
        name: {"p50_ms": round(p50s[name], 1), "mean_ms": round(statistics.fmean(found), 1),
               "max_ms": round(max(found), 1), "ratio_to_bare": round(p50s[name] / p50s["bare"], 2)}
        for name, found in times.items()}}


def table(results: list[dict[str, Any]]) -> str:
    rows = [f"{'invoice':<12} {'operation':<12} {'p50 ms':>8} {'mean ms':>8} {'max ms':>8} "
            f"{'x bare':>7}"]
    for result in results:
        label = f"{result['lines']} line(s)"
        for name, op in result["ops"].items():
            rows.append(f"{label:<12} {name:<12} {op['p50_ms']:>8} {op['mean_ms']:>8} "
                        f"{op['max_ms']:>8} {op['ratio_to_bare']:>7}")
    one = results[0]["ops"]["draft"]["p50_ms"]
    verdict = "met" if one <= GOAL_MS else "MISSED"
    rows.append(f"goal: one-page p50 <= {GOAL_MS:.0f} ms: {one} ms ({verdict})")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 5")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--per-round", type=int)
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "documents.json")
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    per_round = args.per_round or (5 if args.quick else 10)
    started = time.monotonic()
    source = source_state()
    results = []
    for lines in (1, 100):
        log(f"rendering {lines}-line invoices: {rounds} rounds of {per_round}")
        results.append(measure(lines, rounds, per_round))
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "total_seconds": round(time.monotonic() - started, 1),
              "machine": machine(), "versions": versions(), "source": source,
              "settings": {"rounds": rounds, "per_round": per_round, "goal_ms": GOAL_MS},
              "results": results}
    finish(args.out, report, table(results), {}, source)
    print(f"total {report['total_seconds']} s; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
