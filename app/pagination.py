"""A page of rows counted in SQL, shaped as the `pagination` macro reads it (like Flask-SQLAlchemy's
Pagination, for lists whose rows are not ORM objects)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    """`items` of page `page` (from 1), `per_page` rows a page, `total` rows in all."""

    items: list[Row]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
