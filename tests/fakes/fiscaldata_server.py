"""A fake Treasury Fiscal Data API serving the Daily Treasury Statement's operating cash balance.

``/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance?fields=&filter=
record_date:gte:YYYY-MM-DD&sort=record_date&page[number]=&page[size]=`` answers ``{"data":
[...], "meta": {"count", "labels", "dataTypes", "total-count", "total-pages"}, "links":
{...}}`` with every value a string and ``"null"`` for empty ones, as the live API does. Each
date of ``rows["TGA"]`` is several rows: since 2021-10-01 the TGA's opening balance, deposits,
withdrawals and the closing balance, whose figure sits in ``open_today_bal`` (with
``close_today_bal`` "null"); before, "Federal Reserve Account" with the figure in
``close_today_bal`` and the Tax and Loan Note Accounts beside it. ``max_page`` caps the page
size so tests exercise paging; ``fields`` keeps only the fields asked for.
"""

from __future__ import annotations

import json

from tests.fakes.base import FakeServer, Reply

PATH = "/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance"
NEW_FORM = "2021-10-01"
TGA_ROWS = [
    ["2021-09-29", "201010"],
    ["2021-09-30", "215131"],
    ["2021-10-01", "234603"],
    ["2026-08-24", "871181"],
    ["2026-08-25", "883335"],
]


class FakeFiscalData(FakeServer):
    def __init__(self) -> None:
        super().__init__({"TGA": [list(row) for row in TGA_ROWS]})
        self.max_page = 10000

    @property
    def root(self) -> str:
        return f"{self.origin}/services/api/fiscal_service"

    def series_of(self, path: str, query: dict[str, str]) -> str | None:
        return "TGA" if path == PATH else None

    def records(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        previous = "null"
        for day, value in self.rows["TGA"]:
            if day >= NEW_FORM:
                out += [
                    self.row(day, "Treasury General Account (TGA) Opening Balance", previous),
                    self.row(day, "Total TGA Deposits (Table II)", "29117"),
                    self.row(day, "Total TGA Withdrawals (Table II) (-)", "-16963"),
                    self.row(day, "Treasury General Account (TGA) Closing Balance", value),
                ]
            else:
                out += [
                    self.row(day, "Federal Reserve Account", previous, value),
                    self.row(day, "Tax and Loan Note Accounts", "0", "0"),
                ]
            previous = value
        return out

    def row(self, day: str, account: str, opening: str, closing: str = "null") -> dict[str, str]:
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

    def route(self, path: str, query: dict[str, str]) -> Reply:
        if path != PATH:
            body = {"error": "Invalid Query Param", "message": "Not found: the endpoint"}
            return Reply(404, json.dumps(body).encode())
        records = self.records()
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
        body = {
            "data": chosen,
            "meta": {
                "count": len(chosen),
                "labels": {name: name for name in (fields or ["record_date"])},
                "total-count": len(records),
                "total-pages": pages,
            },
            "links": {"self": "&page%5Bnumber%5D=1", "first": "&page%5Bnumber%5D=1"},
        }
        return Reply(200, json.dumps(body).encode())
