"""Pure warehouse rules: where an order ships from, how orders group into waves, the
order of a wave's orders, and the pack-station check. No I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from orderflow.documents.pick_list import bin_key
from orderflow.fulfilment import geo

DEFAULT_CUTOFF = time(16, 0)  # local time, when a carrier names none
EXPEDITED_SERVICES = frozenset({"express", "same_day"})


@dataclass(frozen=True, slots=True)
class Site:
    """A warehouse as allocation sees it."""

    id: int
    code: str
    province: str | None
    priority: int


@dataclass(frozen=True, slots=True)
class LineNeed:
    line_id: int
    sku_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Plan:
    """kind: 'single' (the only warehouse that can ship every line), 'nearest' (of several
    that can, the nearest the destination), 'split' (no one warehouse can)."""

    kind: str
    lines: dict[int, int]  # line id -> warehouse id
    short: tuple[int, ...] = ()  # line ids no warehouse can ship

    @property
    def warehouses(self) -> list[int]:
        return sorted(set(self.lines.values()))


def _rank(site: Site, destination: str | None) -> tuple[int, int, int]:
    distance = geo.distance_km(site.province, destination)
    return (0 if distance is not None else 1, distance or 0, site.priority)


def plan_allocation(needs: Sequence[LineNeed], sites: Sequence[Site],
                    capacity: Mapping[tuple[int, int], int], destination: str | None) -> Plan:
    """capacity[(warehouse id, sku id)]: the units this order could take there (available
    stock plus what the order already holds there)."""
    ranked = sorted(sites, key=lambda s: (_rank(s, destination), s.id))
    total = Counter[int]()
    for need in needs:
        total[need.sku_id] += need.quantity
    whole = [s for s in ranked
             if all(capacity.get((s.id, sku), 0) >= qty for sku, qty in total.items())]
    if whole:
        kind = "single" if len(whole) == 1 else "nearest"
        return Plan(kind, {n.line_id: whole[0].id for n in needs})
    return _split(needs, ranked, capacity)


def _takes(site: Site, todo: Sequence[LineNeed],
           left: Mapping[tuple[int, int], int]) -> list[LineNeed]:
    room = Counter({sku: n for (w, sku), n in left.items() if w == site.id})
    taken = []
    for need in todo:
        if room[need.sku_id] >= need.quantity:
            room[need.sku_id] -= need.quantity
            taken.append(need)
    return taken


def _split(needs: Sequence[LineNeed], ranked: Sequence[Site],
           capacity: Mapping[tuple[int, int], int]) -> Plan:
    """Greedy cover: the warehouse that can ship the most remaining lines first (nearest on
    a tie), until every line has a warehouse or none can take what is left."""
    left = dict(capacity)
    todo = list(needs)
    lines: dict[int, int] = {}
    while todo:
        best, chosen = max(((site, _takes(site, todo, left)) for site in ranked),
                           key=lambda pair: len(pair[1]), default=(None, []))
        if best is None or not chosen:
            break
        for need in chosen:
            lines[need.line_id] = best.id
            left[(best.id, need.sku_id)] -= need.quantity
        todo = [n for n in todo if n.line_id not in lines]
    return Plan("split", lines, tuple(n.line_id for n in todo))


# --- waves ----------------------------------------------------------------------------


def priority_of(service: str | None) -> str:
    return "expedited" if service in EXPEDITED_SERVICES else "standard"


def next_cutoff(now: datetime, cutoff: time | None, zone: ZoneInfo) -> datetime:
    """The next daily cut-off after `now` (UTC in, UTC out), in the merchant's zone."""
    local = now.astimezone(zone)
    at = datetime.combine(local.date(), cutoff or DEFAULT_CUTOFF, tzinfo=zone)
    if at <= local:
        at += timedelta(days=1)
    return at.astimezone(now.tzinfo)


@dataclass(frozen=True, slots=True)
class WaveKey:
    warehouse_id: int
    carrier: str
    priority: str
    cutoff_at: datetime | None


def group_waves(parts: Iterable[tuple[WaveKey, int]],
                max_orders: int) -> list[tuple[WaveKey, list[int]]]:
    """Order parts (key, order id) grouped into waves of at most `max_orders`, expedited
    and earliest cut-off first; order ids ascending within a wave."""
    groups: dict[WaveKey, list[int]] = {}
    for key, order_id in parts:
        groups.setdefault(key, []).append(order_id)
    out = []
    for key in sorted(groups, key=lambda k: (k.priority != "expedited", k.cutoff_at is None,
                                             k.cutoff_at.timestamp() if k.cutoff_at else 0.0,
                                             k.warehouse_id, k.carrier)):
        ids = sorted(groups[key])
        out += [(key, ids[i:i + max_orders]) for i in range(0, len(ids), max_orders)]
    return out


def pick_order(items: Iterable[tuple[str, str | None]]) -> list[str]:
    """Order numbers in the order a picker walking the bins meets them: by the first bin
    each order needs, then by number. items: (order number, bin)."""
    first: dict[str, tuple[int, tuple[tuple[int, int | str], ...]]] = {}
    for number, location in items:
        key = bin_key(location)
        if number not in first or key < first[number]:
            first[number] = key
    return sorted(first, key=lambda n: (first[n], n))


# --- the pack station -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanProblem:
    code: str  # pack.unknown_barcode | pack.wrong_item | pack.too_many
    sku: str | None
    message: str


def check_scan(expected: Mapping[str, int], scanned: Mapping[str, int],
               sku: str | None, barcode: str) -> ScanProblem | None:
    """None if one more of `sku` belongs in this parcel; else the loud error."""
    if sku is None:
        return ScanProblem("pack.unknown_barcode", None, f"no item has the barcode {barcode}")
    if sku not in expected:
        return ScanProblem("pack.wrong_item", sku, f"{sku} is not in this parcel")
    if scanned.get(sku, 0) >= expected[sku]:
        return ScanProblem("pack.too_many", sku,
                           f"one too many {sku}: the parcel takes {expected[sku]}")
    return None


def missing(expected: Mapping[str, int], scanned: Mapping[str, int]) -> dict[str, int]:
    """SKU -> units still to scan; empty when the parcel is complete."""
    return {sku: qty - scanned.get(sku, 0) for sku, qty in sorted(expected.items())
            if scanned.get(sku, 0) < qty}
