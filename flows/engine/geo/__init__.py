"""Provinces and communes of Vietnam since 01/07/2025 (34 and 3,321; Nghị quyết 202/2025/QH15),
found the way people type them: any case, no diacritics, with or without "tỉnh"/"xã", small
typos, former (pre-2025) province names. Data: the `vietnam_provinces` package and content/geo/.
"""

from flows.engine.geo.communes import commune, communes, find_commune
from flows.engine.geo.keys import MAX_CHOICES, GeoMatch, Place
from flows.engine.geo.provinces import find_province, province, provinces

__all__ = ["MAX_CHOICES", "GeoMatch", "Place", "commune", "communes", "find_commune", "find_province", "province",
           "provinces"]
