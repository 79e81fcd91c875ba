"""The province-distance table allocation uses: where each province-level division's
capital lies, and the great-circle distance between two of them.

Names match on the first two characters of the Chinese name (浙江 = 浙江省, 内蒙 =
内蒙古自治区) or on the English/pinyin name; an unknown place has no distance and
allocation falls back to the warehouses' priority.
"""

from __future__ import annotations

import math

# (latitude, longitude) of the capital of each province-level division.
CAPITALS: dict[str, tuple[float, float]] = {
    "北京": (39.90, 116.41), "天津": (39.13, 117.20), "河北": (38.04, 114.51),
    "山西": (37.87, 112.55), "内蒙": (40.84, 111.75), "辽宁": (41.80, 123.43),
    "吉林": (43.82, 125.32), "黑龙": (45.80, 126.53), "上海": (31.23, 121.47),
    "江苏": (32.06, 118.80), "浙江": (30.27, 120.16), "安徽": (31.82, 117.23),
    "福建": (26.07, 119.30), "江西": (28.68, 115.86), "山东": (36.65, 117.12),
    "河南": (34.75, 113.62), "湖北": (30.59, 114.31), "湖南": (28.23, 112.94),
    "广东": (23.13, 113.26), "广西": (22.82, 108.37), "海南": (20.04, 110.20),
    "重庆": (29.56, 106.55), "四川": (30.57, 104.07), "贵州": (26.65, 106.63),
    "云南": (25.04, 102.71), "西藏": (29.65, 91.14), "陕西": (34.34, 108.94),
    "甘肃": (36.06, 103.83), "青海": (36.62, 101.78), "宁夏": (38.49, 106.23),
    "新疆": (43.83, 87.62), "香港": (22.32, 114.17), "澳门": (22.20, 113.54),
    "台湾": (25.03, 121.57),
}

PINYIN: dict[str, str] = {
    "beijing": "北京", "tianjin": "天津", "hebei": "河北", "shanxi": "山西",
    "inner mongolia": "内蒙", "neimenggu": "内蒙", "liaoning": "辽宁", "jilin": "吉林",
    "heilongjiang": "黑龙", "shanghai": "上海", "jiangsu": "江苏", "zhejiang": "浙江",
    "anhui": "安徽", "fujian": "福建", "jiangxi": "江西", "shandong": "山东", "henan": "河南",
    "hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "guangxi": "广西", "hainan": "海南",
    "chongqing": "重庆", "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南", "tibet": "西藏",
    "xizang": "西藏", "shaanxi": "陕西", "gansu": "甘肃", "qinghai": "青海", "ningxia": "宁夏",
    "xinjiang": "新疆", "hong kong": "香港", "macau": "澳门", "macao": "澳门", "taiwan": "台湾",
}


def province_key(name: str | None) -> str | None:
    if not name:
        return None
    text = name.strip()
    if text[:2] in CAPITALS:
        return text[:2]
    plain = text.lower().removesuffix(" province").removesuffix(" sheng").strip()
    return PINYIN.get(plain)


def distance_km(a: str | None, b: str | None) -> int | None:
    """Great-circle distance between two provinces' capitals; None if either is unknown."""
    ka, kb = province_key(a), province_key(b)
    if ka is None or kb is None:
        return None
    (lat1, lon1), (lat2, lon2) = CAPITALS[ka], CAPITALS[kb]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371 * math.asin(math.sqrt(h)))
