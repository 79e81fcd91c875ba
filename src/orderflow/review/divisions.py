"""China's administrative divisions (province / city / district) and a fast address parser.

The division table is cpca's bundled `adcodes.csv` (GB/T 2260 codes, 3,511 rows),
read straight from the installed package without importing cpca (which would pull in
pandas), plus the changes made after cpca's data was scraped (DOMAIN-CN.md §6.1:
深圳 龙华/坪山/光明, 杭州 临平/钱塘, 济南 莱芜/钢城/章丘/济阳). Parsing is a longest-prefix
match over full and short names, scoped province → city → district, so a district
name shared by several cities (朝阳区, 鼓楼区) resolves inside the city it was given with.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_VERSION = "cpca-0.5.5+2021"

# (adcode, name) added after cpca's snapshot; codes retired since are kept (old
# addresses still use them), so nothing is removed.
SUPPLEMENT = [
    ("440309", "龙华区"), ("440310", "坪山区"), ("440311", "光明区"),
    ("330113", "临平区"), ("330114", "钱塘区"),
    ("370114", "章丘区"), ("370115", "济阳区"), ("370116", "莱芜区"), ("370117", "钢城区"),
]
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
DIRECT_COUNTIES = frozenset({"省直辖县级行政区划", "自治区直辖县级行政区划"})
_PLACEHOLDERS = frozenset({"市辖区", "县", *DIRECT_COUNTIES})
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
             "自治县", "地区", "新区", "省", "市", "区", "县", "盟", "旗")


@dataclass
class Division:
    code: str  # 2, 4 or 6 digits
    name: str
    children: dict[str, Division] = field(default_factory=dict)  # by code


@dataclass(frozen=True)
class Parsed:
    province: str | None
    city: str | None
    district: str | None
    detail: str
    adcode: str | None  # the most precise code found


def short_name(name: str) -> str:
    """浙江省 → 浙江, 广西壮族自治区 → 广西, 西湖区 → 西湖 (never shorter than 2 chars)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _csv_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package (division data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


class Divisions:
    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.provinces: dict[str, Division] = {}
        self.by_code: dict[str, Division] = {}
        self._build(rows)
        self._province_names = self._names(self.provinces.values())
        self._province_index = dict(reversed(self._province_names))
        cities = [c for p in self.provinces.values() for c in p.children.values()
                  if p.code not in MUNICIPALITIES]
        self._city_names = [(n, c) for n, c in self._names(cities) if n.endswith(("市", "州"))]

    def _build(self, rows: list[tuple[str, str]]) -> None:
        for code, name in sorted(rows, key=lambda r: len(r[0].rstrip("0") or "0")):
            level = 2 if code[2:] == "0000" else 4 if code[4:] == "00" else 6
            key = code[:level]
            if level == 2:
                self.provinces[key] = self.by_code[key] = Division(key, name)
                continue
            parent = self.by_code.get(code[: level - 2])
            if parent is None:
                continue
            division = Division(key, name)
            parent.children[key] = division
            self.by_code[key] = division
        # Municipalities: their districts sit under 市辖区/县 placeholders; hang them under
        # one city named like the province so 上海市 / 上海市 / 浦东新区 works.
        for p in list(self.provinces.values()):
            if p.code in MUNICIPALITIES:
                city = Division(p.code + "01", p.name)
                for placeholder in p.children.values():
                    city.children.update(placeholder.children)
                p.children = {city.code: city}
                self.by_code[city.code] = city
            # Counties under 省直辖县级行政区划 (海南 陵水, 湖北 仙桃, 新疆 石河子) are
            # addressed as cities of their province.
            for code, placeholder in list(p.children.items()):
                if placeholder.name in DIRECT_COUNTIES:
                    del p.children[code]
                    p.children.update(placeholder.children)

    @staticmethod
    def _names(divisions: object) -> list[tuple[str, Division]]:
        """(name, division) for full and short names, longest first."""
        names: dict[str, Division] = {}
        for d in divisions:  # type: ignore[attr-defined]
            if d.name in _PLACEHOLDERS:
                continue
            names.setdefault(d.name, d)
            names.setdefault(short_name(d.name), d)
        return sorted(names.items(), key=lambda item: -len(item[0]))

    def children_named(self, parent: Division) -> list[tuple[str, Division]]:
        return _children_names(self, parent.code)

    def match_child(self, parent: Division | None, text: str) -> tuple[Division, str] | None:
        """The child (or province when parent is None) whose name starts `text`."""
        names = self._province_names if parent is None else self.children_named(parent)
        for name, division in names:
            if text.startswith(name):
                return division, text[len(name):]
        return None

    def find(self, parent: Division | None, name: str | None) -> Division | None:
        """Exact match by full or short name (a dict look-up)."""
        if not name:
            return None
        wanted = name.strip()
        index = self._province_index if parent is None else _children_index(self, parent.code)
        return index.get(wanted) or index.get(short_name(wanted))

    def cities_with_district(self, province: Division, name: str) -> list[Division]:
        return [c for c in province.children.values() if self.find(c, name) is not None]

    def homes_of_district(self, province: Division, name: str) -> list[str]:
        """Where a district of that name is: cities of this province first, else
        'province + city' anywhere in the country (a few at most)."""
        near = self.cities_with_district(province, name)
        if near:
            return [c.name for c in near]
        homes = _district_homes(self)
        found = homes.get(name.strip()) or homes.get(short_name(name.strip())) or []
        return [home for code, home in found if code != province.code][:3]

    def districts_named(self, name: str) -> list[str]:
        """'province + city' of every district with this name, anywhere in the country."""
        homes = _district_homes(self)
        return [home for _code, home in homes.get(name.strip()) or []]

    def parse(self, text: str) -> Parsed:
        """Free text (浙江省杭州市西湖区文三路100号, 上海浦东新区…) → parts + detail."""
        rest = "".join(text.split())
        province = city = district = None
        found = self.match_child(None, rest)
        if found:
            province, rest = found
            if province.code in MUNICIPALITIES:
                city = next(iter(province.children.values()))
                again = self.match_child(province, rest)  # 上海市上海市…: skip a repeated name
                if again:
                    rest = again[1]
        if province is None:  # 深圳市南山区…: a city named without its province
            for name, candidate in self._city_names:
                if rest.startswith(name):
                    city, rest = candidate, rest[len(name):]
                    province = self.provinces[candidate.code[:2]]
                    break
        if province and city is None:
            found = self.match_child(province, rest)
            if found:
                city, rest = found
        if city:
            found = self.match_child(city, rest)
            if found:
                district, rest = found
        deepest = district or city or province
        return Parsed(
            province.name if province else None,
            city.name if city else None,
            district.name if district else None,
            rest,
            deepest.code if deepest else None,
        )


@cache
def _children_names(divisions: Divisions, code: str) -> list[tuple[str, Division]]:
    return Divisions._names(divisions.by_code[code].children.values())


@cache
def _children_index(divisions: Divisions, code: str) -> dict[str, Division]:
    """name → child, by full and by short name."""
    return dict(reversed(_children_names(divisions, code)))


@cache
def _district_homes(divisions: Divisions) -> dict[str, list[tuple[str, str]]]:
    """district name (full and short) → [(province code, 'province + city')]."""
    homes: dict[str, list[tuple[str, str]]] = {}
    for p in divisions.provinces.values():
        for c in p.children.values():
            for d in c.children.values():
                if d.name in _PLACEHOLDERS:
                    continue
                for key in {d.name, short_name(d.name)}:
                    homes.setdefault(key, []).append((p.code, p.name + c.name))
    return homes


@cache
def load() -> Divisions:
    rows: list[tuple[str, str]] = []
    with _csv_path().open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append((row["adcode"][:6], row["name"]))
    rows.extend(SUPPLEMENT)
    return Divisions(rows)
