"""A fake Treasury Fiscal Data API serving the Daily Treasury Statement's operating cash balance
and the Monthly Statement of the Public Debt's summary table.

``/services/api/fiscal_service/<endpoint>?fields=&filter=record_date:gte:YYYY-MM-DD&sort=
record_date&page[number]=&page[size]=`` answers ``{"data": [...], "meta": {"count", "labels",
"total-count", "total-pages"}, "links": {...}}`` with every value a string and ``"null"`` for
empty ones, as the live API does; without a filter, every row. ``max_page`` caps the page size
so tests exercise paging; ``fields`` keeps only the fields asked for.

- ``v1/accounting/dts/operating_cash_balance`` (``rows["TGA_DTS"]``): each date is several
  rows. Since 2021-10-01 the TGA's opening balance, deposits, withdrawals and the closing
  balance, whose figure sits in ``open_today_bal`` (with ``close_today_bal`` "null"); before,
  "Federal Reserve Account" with the figure in ``close_today_bal`` and the Tax and Loan Note
  Accounts beside it.
- ``v1/debt/mspd/mspd_table_1`` (``rows["MSPD_BILLS"]``): each month end is the table's rows,
  marketable bills, notes and bonds, the marketable total (class ``_``), non-marketable and the
  total public debt; the bills row holds the value in ``debt_held_public_mil_amt``, with other
  figures in ``intragov_hold_mil_amt`` and ``total_mil_amt``.

Given a snapshot folder, both serve its stored ``data/series/fiscaldata`` rows.
"""

from __future__ import annotations

from pathlib import Path

from tests.fakes.base import FakeServer, Reply, json_reply

ROOT = "/services/api/fiscal_service/"
DTS = "v1/accounting/dts/operating_cash_balance"
MSPD = "v1/debt/mspd/mspd_table_1"
ENDPOINTS = {DTS: "TGA_DTS", MSPD: "MSPD_BILLS"}
PATH = ROOT + DTS  # the DTS endpoint's path, as requested
NEW_FORM = "2021-10-01"
TGA_ROWS = [
    ["2021-09-29", "201010"],
    ["2021-09-30", "215131"],
    ["2021-10-01", "234603"],
    ["2026-08-24", "871181"],
    ["2026-08-25", "883335"],
]
MSPD_ROWS = [
    ["2026-05-31", "6521334.8127"],
    ["2026-06-30", "6690117.0142"],
    ["2026-07-31", "6988226.4301"],
]
INTRAGOV_BILLS = 12.5  # millions of bills held in government accounts: not the public's


def plus(value: str, extra: float) -> str:
    """``value + extra`` written as the API writes amounts (junk passes through)."""
    try:
        return f"{float(value) + extra:.4f}"
    except ValueError:
        return value


class FakeFiscalData(FakeServer):
    SOURCE = "fiscaldata"
    PREFIX = ROOT.rstrip("/")
    SAMPLE = {"TGA_DTS": TGA_ROWS, "MSPD_BILLS": MSPD_ROWS}

    def __init__(self, data_dir: Path | None = None) -> None:
        super().__init__(data_dir)
        self.max_page = 10000

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        return ENDPOINTS.get(path.removeprefix(ROOT))

    def records(self, series: str) -> list[dict[str, str]]:
        """Every row of the endpoint that serves ``series``, in date order."""
        return self.mspd() if series == "MSPD_BILLS" else self.dts()

    def dts(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        previous = "null"
        for day, value in self.rows["TGA_DTS"]:
            if day >= NEW_FORM:
                out += [
                    self.dts_row(day, "Treasury General Account (TGA) Opening Balance", previous),
                    self.dts_row(day, "Total TGA Deposits (Table II)", "29117"),
                    self.dts_row(day, "Total TGA Withdrawals (Table II) (-)", "-16963"),
                    self.dts_row(day, "Treasury General Account (TGA) Closing Balance", value),
                ]
            else:
                out += [
                    self.dts_row(day, "Federal Reserve Account", previous, value),
                    self.dts_row(day, "Tax and Loan Note Accounts", "0", "0"),
                ]
            previous = value
        return out

    def dts_row(
        self, day: str, account: str, opening: str, closing: str = "null"
    ) -> dict[str, str]:
        return {
            "record_date": day,
            "account_type": account,
            "close_today_bal": closing,
            "open_today_bal": opening,
            "open_month_bal": "null",
            "open_fiscal_year_bal": "null",
            "table_nbr": "I",
            "table_nm": "Operating Cash Balance",
            "src_line_nbr": "1",
            "record_fiscal_year": day[:4],
        }

    def mspd(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for day, bills in self.rows["MSPD_BILLS"]:
            out += [
                self.mspd_row(day, 1, "Marketable", "Bills", bills, INTRAGOV_BILLS),
                self.mspd_row(day, 2, "Marketable", "Notes", "14853211.0921", 88.9),
                self.mspd_row(day, 3, "Marketable", "Bonds", "4701238.5510", 61.4),
                self.mspd_row(day, 4, "Total Marketable", "_", "28954033.1187", 162.8),
                self.mspd_row(day, 5, "Nonmarketable", "Government Account Series", "0", 7e6),
                self.mspd_row(day, 6, "Total Public Debt Outstanding", "_", "29231009.4", 7e6),
            ]
        return out

    def mspd_row(
        self, day: str, line: int, kind: str, security: str, public: str, intragov: float
    ) -> dict[str, str]:
        month = int(day[5:7])
        return {
            "record_date": day,
            "security_type_desc": kind,
            "security_class_desc": security,
            "debt_held_public_mil_amt": public,
            "intragov_hold_mil_amt": f"{intragov:.4f}",
            "total_mil_amt": plus(public, intragov),
            "src_line_nbr": str(line),
            "record_fiscal_year": str(int(day[:4]) + (month >= 10)),
            "record_fiscal_quarter": str((month + 2) % 12 // 3 + 1),
            "record_calendar_year": day[:4],
            "record_calendar_quarter": str((month - 1) // 3 + 1),
            "record_calendar_month": day[5:7],
            "record_calendar_day": day[8:10],
        }

    def route(self, path: str, query: dict[str, str]) -> Reply:
        series = self.series_of(path, query)
        if series is None:
            body = {"error": "Invalid Query Param", "message": "Not found: the endpoint"}
            return json_reply(body, 404)
        records = self.records(series)
        condition = query.get("filter", "")
        if condition.startswith("record_date:gte:") and not self.ignore_range:
            first = condition.split(":", 2)[2]
            records = [r for r in records if r["record_date"] >= first]
        fields = [name for name in query.get("fields", "").split(",") if name]
        if fields:
            records = [{name: r.get(name, "null") for name in fields} for r in records]
        size = min(int(query.get("page[size]", "100")), self.max_page)
        number = int(query.get("page[number]", "1"))
        pages = max(1, -(-len(records) // size))
        chosen = records[(number - 1) * size : number * size]
        return json_reply(
            {
                "data": chosen,
                "meta": {
                    "count": len(chosen),
                    "labels": {name: name for name in (fields or ["record_date"])},
                    "total-count": len(records),
                    "total-pages": pages,
                },
                "links": {"self": "&page%5Bnumber%5D=1", "first": "&page%5Bnumber%5D=1"},
            }
        )
