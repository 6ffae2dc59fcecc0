"""Offers, sales and revenue per product, for one replication and over replications: what each
product sold, which the totals of the interval and slice tables do not say."""

from __future__ import annotations

import numpy as np
import pandas as pd

from callsim.measure.confidence import t_interval

PRODUCT_KPIS = ("offers", "conversions", "revenue")


def product_counts(product: np.ndarray, sold: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Offers and sales of each of ``n`` products among these calls (``product`` -1: no offer)."""
    offered = product >= 0
    return {
        "offers": np.bincount(product[offered], minlength=n).astype(float),
        "conversions": np.bincount(product[offered & sold], minlength=n).astype(float),
    }


def product_table(
    names: list[str], values: np.ndarray, counts: list[dict[str, np.ndarray]]
) -> pd.DataFrame:
    """One row per product: offers, sales and revenue (sales at the product's value per sale),
    each a mean with its 95% interval over replications."""
    offers = np.stack([c["offers"] for c in counts])
    sales = np.stack([c["conversions"] for c in counts])
    columns: dict[str, object] = {"product": names}
    for kpi, table in zip(PRODUCT_KPIS, (offers, sales, sales * values), strict=True):
        mean, low, high = t_interval(table)
        columns.update({f"{kpi}_mean": mean, f"{kpi}_ci_low": low, f"{kpi}_ci_high": high})
    return pd.DataFrame(columns)
