"""What a money figure is: its currency and, for revenue, the horizon its value is earned over.

A revenue figure next to a day's staff cost reads as "the day pays for itself" unless it says
that it is, say, three years of the value of the day's sales; and a number without a currency is
shown without one (a report never guesses the currency). The words are derived from the
scenario, so every table and report labels money the same way, in English and Chinese.
"""

# ruff: noqa: RUF001 (Chinese text uses full-width punctuation, as it should)

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from callsim.errors import UserError
from callsim.measure.catalogue import entry, label
from callsim.scenario.schema import Scenario

_VALUED = (
    "revenue_per_selling_hour",
    "revenue_per_logged_in_hour",
    "outbound_revenue_per_agent_hour",
)
"""Rates that count sales at their value; revenue and net contribution say more (whose sales)."""


@dataclass(frozen=True)
class MoneyTerms:
    """The currency and value bases of the plans a table shows.

    ``years`` lists the yearly horizons of their products, ``one_off`` whether any product is
    valued once per sale; ``days`` is the horizon's length when every plan has the same."""

    currency: str | None = None
    one_off: bool = False
    years: tuple[float, ...] = ()
    days: int | None = 1
    retention_years: tuple[float, ...] = ()
    """The horizons over which the plans' retention sections count the customer-years kept."""

    @property
    def sells(self) -> bool:
        return self.one_off or bool(self.years)


def one_currency(plans: Mapping[str, Scenario]) -> None:
    """Plans set side by side (compared, swept) count money in one currency; a
    :class:`UserError` naming two plans that do not (or where one names a currency and the other
    none): their money cannot be compared, and no table may label it with one of them."""
    first, *others = plans.items()
    for name, plan in others:
        if plan.currency != first[1].currency:
            raise UserError(
                f"currency: plan '{name}' counts money in {_currency(plan)} but '{first[0]}' in "
                f"{_currency(first[1])}; give every plan the same currency to compare them"
            )


def _currency(plan: Scenario) -> str:
    return plan.currency or "no stated currency"


def money_terms(scenarios: Iterable[Scenario]) -> MoneyTerms:
    """The terms of plans shown side by side, which :func:`one_currency` has checked."""
    plans = list(scenarios)
    currencies = {s.currency for s in plans}
    if len(currencies) > 1:
        shown = ", ".join(sorted(c or "none" for c in currencies))
        raise UserError(f"currency: the plans count money in different currencies ({shown})")
    products = [p for s in plans for p in s.products.values()]
    days = {s.horizon.days for s in plans}
    return MoneyTerms(
        currency=next(iter(currencies), None),
        one_off=any(p.value_basis == "one_off" for p in products),
        years=tuple(sorted({p.years for p in products if p.years is not None})),
        days=next(iter(days)) if len(days) == 1 else None,
        retention_years=tuple(
            sorted({s.retention.horizon_years for s in plans if s.retention is not None})
        ),
    )


def money_label(name: str, lang: str, terms: MoneyTerms) -> str:
    """A KPI's label, with what its money is when it is money: the currency, and for revenue
    the basis of its value. Other KPIs keep their catalogue label."""
    base = label(name, lang)
    if entry(name).unit != "money":
        return base
    zh = lang == "zh"
    parts: list[str] = []
    if name == "net_contribution":
        # The catalogue's "(revenue − staff cost)", said of whose sales and costs.
        base = "净贡献" if zh else "Net contribution"
        revenue = _sales_value(terms, zh) if terms.sells else ("营收" if zh else "revenue")
        when = _when(terms, zh)
        parts.append(f"{revenue} − {when}人力成本" if zh else f"{revenue} − {when} staff cost")
    elif name in ("retention_value", "net_contribution_with_retention") and terms.retention_years:
        base, part = _retention(name, terms, zh)
        parts.append(part)
    elif terms.sells and name == "revenue":
        parts.append(_sales_value(terms, zh))
    elif terms.sells and name in _VALUED:
        parts.append(_basis(terms, zh))
    if terms.currency:
        parts.append(terms.currency)
    if not parts:
        return base
    return f"{base}（{'，'.join(parts)}）" if zh else f"{base} ({', '.join(parts)})"


def _retention(name: str, terms: MoneyTerms, zh: bool) -> tuple[str, str]:
    """The label and what it counts of the two retention KPIs, e.g. "Retention value
    (customer-years the day's sales keep over 3 years × value per customer-year)"."""
    over = _years(MoneyTerms(years=terms.retention_years), zh)
    when = _when(terms, zh)
    if name == "retention_value":
        if zh:
            return "留存价值", f"{when}成交在 {over}留住的客户年 × 每客户年价值"
        return "Retention value", f"customer-years {when} sales keep {over} × value per year"
    revenue = _sales_value(terms, zh) if terms.sells else ("营收" if zh else "revenue")
    if zh:
        return "含留存的净贡献", f"{revenue} + 其 {over}留存价值 − {when}人力成本"
    return (
        "Net contribution with retention",
        f"{revenue} + their retention value {over} − {when} staff cost",
    )


def _when(terms: MoneyTerms, zh: bool) -> str:
    """Whose sales and costs: the day's, the N days', or (plans of different lengths) the
    horizon's."""
    if terms.days == 1:
        return "当日" if zh else "the day's"
    if terms.days is None:
        return "仿真期内" if zh else "the horizon's"
    return f"{terms.days} 天内" if zh else f"the {terms.days} days'"


def _years(terms: MoneyTerms, zh: bool) -> str:
    """The yearly horizons: "over 3 years", "over 1 or 3 years", "3 年内"."""
    numbers = (" 或 " if zh else " or ").join(f"{y:g}" for y in terms.years)
    if zh:
        return f"{numbers} 年内"
    return f"over {numbers} year{'' if terms.years == (1.0,) else 's'}"


def _sales_value(terms: MoneyTerms, zh: bool) -> str:
    """What revenue counts, e.g. "value over 3 years of the day's sales"."""
    when = _when(terms, zh)
    if zh:
        if not terms.years:
            return f"{when}成交的一次性收入"
        if not terms.one_off:
            return f"{when}成交在 {_years(terms, zh)}的价值"
        return f"{when}成交按产品计一次性或 {_years(terms, zh)}的价值"
    if not terms.years:
        return f"one-off revenue of {when} sales"
    if not terms.one_off:
        return f"value {_years(terms, zh)} of {when} sales"
    return f"value of {when} sales, one-off or {_years(terms, zh)} by product"


def _basis(terms: MoneyTerms, zh: bool) -> str:
    """The basis alone, for rates per hour: "one-off revenue", "value over 3 years"."""
    if zh:
        if not terms.years:
            return "一次性收入"
        prefix = "按产品计一次性或 " if terms.one_off else ""
        return f"{prefix}{_years(terms, zh)}价值"
    if not terms.years:
        return "one-off revenue"
    if terms.one_off:
        return f"value one-off or {_years(terms, zh)} by product"
    return f"value {_years(terms, zh)}"
