"""Random but realistic shipments: parties, goods, transport, references (seeded, no I/O)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from stdnum import iso6346
from stdnum.cn import uscc

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166 alpha-2
    name: str
    name_zh: str


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("CN", "China", "中国"),
        Country("DE", "Germany", "德国"),
        Country("US", "United States", "美国"),
        Country("NL", "Netherlands", "荷兰"),
        Country("GB", "United Kingdom", "英国"),
        Country("FR", "France", "法国"),
        Country("IT", "Italy", "意大利"),
        Country("ES", "Spain", "西班牙"),
        Country("JP", "Japan", "日本"),
        Country("KR", "Korea, Republic of", "韩国"),
        Country("SG", "Singapore", "新加坡"),
        Country("MY", "Malaysia", "马来西亚"),
        Country("VN", "Viet Nam", "越南"),
        Country("AU", "Australia", "澳大利亚"),
        Country("AE", "United Arab Emirates", "阿联酋"),
        Country("BR", "Brazil", "巴西"),
        Country("IN", "India", "印度"),
        Country("CL", "Chile", "智利"),
        Country("NZ", "New Zealand", "新西兰"),
        Country("PL", "Poland", "波兰"),
    )
}

CURRENCY_ZH = {"USD": "美元", "EUR": "欧元", "GBP": "英镑", "AUD": "澳大利亚元", "CNY": "人民币"}


@dataclass(frozen=True)
class Port:
    code: str  # UN/LOCODE, or IATA for airports
    name: str
    name_zh: str
    country: str


SEA_PORTS: dict[str, tuple[Port, ...]] = {
    "CN": (
        Port("CNNGB", "Ningbo", "宁波", "CN"),
        Port("CNSHA", "Shanghai", "上海", "CN"),
        Port("CNYTN", "Yantian", "盐田", "CN"),
        Port("CNTAO", "Qingdao", "青岛", "CN"),
        Port("CNXMN", "Xiamen", "厦门", "CN"),
    ),
    "DE": (Port("DEHAM", "Hamburg", "汉堡", "DE"), Port("DEBRV", "Bremerhaven", "不来梅港", "DE")),
    "US": (
        Port("USLAX", "Los Angeles", "洛杉矶", "US"),
        Port("USNYC", "New York", "纽约", "US"),
        Port("USSAV", "Savannah", "萨凡纳", "US"),
    ),
    "NL": (Port("NLRTM", "Rotterdam", "鹿特丹", "NL"),),
    "GB": (Port("GBFXT", "Felixstowe", "费利克斯托", "GB"),),
    "FR": (Port("FRLEH", "Le Havre", "勒阿弗尔", "FR"),),
    "IT": (Port("ITGOA", "Genoa", "热那亚", "IT"),),
    "ES": (Port("ESVLC", "Valencia", "巴伦西亚", "ES"),),
    "JP": (Port("JPTYO", "Tokyo", "东京", "JP"), Port("JPUKB", "Kobe", "神户", "JP")),
    "KR": (Port("KRPUS", "Busan", "釜山", "KR"),),
    "SG": (Port("SGSIN", "Singapore", "新加坡", "SG"),),
    "MY": (Port("MYPKG", "Port Klang", "巴生港", "MY"),),
    "VN": (Port("VNSGN", "Ho Chi Minh City", "胡志明市", "VN"),),
    "AU": (Port("AUSYD", "Sydney", "悉尼", "AU"), Port("AUMEL", "Melbourne", "墨尔本", "AU")),
    "AE": (Port("AEJEA", "Jebel Ali", "杰贝阿里", "AE"),),
    "BR": (Port("BRSSZ", "Santos", "桑托斯", "BR"),),
    "IN": (Port("INNSA", "Nhava Sheva", "那瓦舍瓦", "IN"),),
    "CL": (Port("CLSAI", "San Antonio", "圣安东尼奥", "CL"),),
    "NZ": (Port("NZAKL", "Auckland", "奥克兰", "NZ"),),
    "PL": (Port("PLGDN", "Gdansk", "格但斯克", "PL"),),
}

AIRPORTS: dict[str, tuple[Port, ...]] = {
    "CN": (
        Port("PVG", "Shanghai Pudong", "上海浦东", "CN"),
        Port("CAN", "Guangzhou", "广州", "CN"),
        Port("SZX", "Shenzhen", "深圳", "CN"),
    ),
    "DE": (Port("FRA", "Frankfurt", "法兰克福", "DE"),),
    "US": (Port("LAX", "Los Angeles", "洛杉矶", "US"), Port("JFK", "New York JFK", "纽约", "US")),
    "NL": (Port("AMS", "Amsterdam", "阿姆斯特丹", "NL"),),
    "GB": (Port("LHR", "London Heathrow", "伦敦", "GB"),),
    "FR": (Port("CDG", "Paris CDG", "巴黎", "FR"),),
    "IT": (Port("MXP", "Milan Malpensa", "米兰", "IT"),),
    "ES": (Port("MAD", "Madrid", "马德里", "ES"),),
    "JP": (Port("NRT", "Tokyo Narita", "东京", "JP"),),
    "KR": (Port("ICN", "Seoul Incheon", "首尔", "KR"),),
    "SG": (Port("SIN", "Singapore Changi", "新加坡", "SG"),),
    "MY": (Port("KUL", "Kuala Lumpur", "吉隆坡", "MY"),),
    "VN": (Port("SGN", "Ho Chi Minh City", "胡志明市", "VN"),),
    "AU": (Port("SYD", "Sydney", "悉尼", "AU"),),
    "AE": (Port("DXB", "Dubai", "迪拜", "AE"),),
    "BR": (Port("GRU", "Sao Paulo", "圣保罗", "BR"),),
    "IN": (Port("BOM", "Mumbai", "孟买", "IN"),),
    "CL": (Port("SCL", "Santiago", "圣地亚哥", "CL"),),
    "NZ": (Port("AKL", "Auckland", "奥克兰", "NZ"),),
    "PL": (Port("WAW", "Warsaw", "华沙", "PL"),),
}


@dataclass(frozen=True)
class Company:
    name: str
    address: tuple[str, ...]  # printed lines, the last one ends with the country
    country: str
    name_zh: str = ""  # Chinese companies: the registered Chinese name
    address_zh: str = ""
    tax_id: str = ""  # e.g. the Chinese unified social credit code
    city_zh: str = ""
    phone: str = ""


# --- companies ------------------------------------------------------------------------------

_CN_CITIES = (
    ("Ningbo", "宁波", "Zhejiang", "浙江省", "315800", "330206", "574"),
    ("Shenzhen", "深圳", "Guangdong", "广东省", "518000", "440300", "755"),
    ("Yiwu", "义乌", "Zhejiang", "浙江省", "322000", "330782", "579"),
    ("Xiamen", "厦门", "Fujian", "福建省", "361000", "350200", "592"),
    ("Qingdao", "青岛", "Shandong", "山东省", "266000", "370200", "532"),
    ("Suzhou", "苏州", "Jiangsu", "江苏省", "215000", "320500", "512"),
    ("Dongguan", "东莞", "Guangdong", "广东省", "523000", "441900", "769"),
    ("Foshan", "佛山", "Guangdong", "广东省", "528000", "440600", "757"),
    ("Hangzhou", "杭州", "Zhejiang", "浙江省", "310000", "330100", "571"),
)
_CN_CORES = (
    ("Huada", "华达"),
    ("Jinlong", "金龙"),
    ("Hengxin", "恒信"),
    ("Tianyu", "天宇"),
    ("Ruifeng", "瑞丰"),
    ("Xinda", "信达"),
    ("Haitian", "海天"),
    ("Mingyang", "明阳"),
    ("Yongsheng", "永盛"),
    ("Baolong", "宝龙"),
    ("Kaiyuan", "开元"),
    ("Shengtai", "盛泰"),
)
_CN_TRADES = (
    ("Electric Appliance", "电器"),
    ("Import & Export", "进出口"),
    ("Industrial", "实业"),
    ("Trading", "贸易"),
    ("Technology", "科技"),
    ("Household Products", "家居用品"),
    ("Machinery", "机械"),
)
_CN_STREETS = (
    ("Mingzhou Road", "明州路"),
    ("Industrial Avenue", "工业大道"),
    ("Binhai 2nd Road", "滨海二路"),
    ("Xinhua Road", "新华路"),
    ("Jiangnan Avenue", "江南大道"),
    ("Chuangye Road", "创业路"),
)

_WORDS = (
    "Lakeside", "Summit", "Harbor", "Redwood", "Liberty", "Northstar", "Pioneer", "Meridian",
    "Crown", "Atlas", "Keystone", "Silverline", "Oakfield", "Bluewater", "Evergreen", "Granite",
)  # fmt: skip
_BRANCHES = (
    "Home Goods", "Supply", "Trading", "Distribution", "Brands", "Industrial", "Imports",
    "Retail Group", "Wholesale", "Electronics",
)  # fmt: skip
_DE_NAMES = ("Hoffmann", "Becker", "Schulte", "Krämer", "Wagner", "Lindner", "Vogel", "Brandt")
_DE_BRANCHES = (
    "Haushaltswaren", "Elektrohandel", "Werkzeughandel", "Möbelvertrieb", "Textilhandel",
    "Technik", "Handelsgesellschaft",
)  # fmt: skip


def _foreign_company(rng: random.Random, country: str) -> Company:
    lines: tuple[str, ...]
    w, b, n = rng.choice(_WORDS), rng.choice(_BRANCHES), rng.randint(2, 980)
    phone = ""
    if country == "DE":
        name = f"{rng.choice(_DE_NAMES)} {rng.choice(_DE_BRANCHES)} GmbH"
        street = rng.choice(("Industriestraße", "Am Hafen", "Lagerstraße", "Hauptstraße"))
        city = rng.choice(
            ("20457 Hamburg", "28195 Bremen", "40210 Düsseldorf", "60311 Frankfurt am Main")
        )
        lines = (f"{street} {n % 120 + 1}", f"{city}, Germany")
        phone = f"+49 {rng.randint(30, 89)} {rng.randint(1000000, 9999999)}"
    elif country == "US":
        name = f"{w} {b} {rng.choice(('Inc.', 'LLC', 'Corp.'))}"
        street = rng.choice(("Commerce Pkwy", "Industrial Blvd", "Harbor Dr", "Distribution Way"))
        city = rng.choice(
            ("Columbus, OH 43215", "Carson, CA 90745", "Edison, NJ 08817", "Dallas, TX 75247")
        )
        lines = (f"{n * 7 + 100} {street}", f"{city}, USA")
        phone = f"+1 {rng.randint(201, 989)} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
    elif country == "NL":
        name = f"{w} {b} B.V."
        city = rng.choice(("3089 JH Rotterdam", "1043 AP Amsterdam", "5928 PZ Venlo"))
        street = rng.choice(("Waalhaven Zuidzijde", "Keienbergweg", "Marconistraat"))
        lines = (f"{street} {n % 90 + 1}", f"{city}, Netherlands")
        phone = f"+31 {rng.randint(10, 79)} {rng.randint(1000000, 9999999)}"
    elif country == "GB":
        name = f"{w} {b} Ltd"
        lines = (
            f"Unit {n % 30 + 1}, {rng.choice(('Orwell', 'Kingsway', 'Riverside'))} Business Park",
            rng.choice(("Ipswich IP3 9UW", "Manchester M17 1AB", "Leeds LS10 1JR")),
            "United Kingdom",
        )
        phone = f"+44 {rng.randint(113, 199)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    elif country == "FR":
        name = f"{w} {b} {rng.choice(('SARL', 'SAS'))}"
        lines = (
            f"{n % 80 + 1} Rue de la République",
            rng.choice(("69002 Lyon", "13002 Marseille", "76600 Le Havre")) + ", France",
        )
    elif country == "IT":
        name = f"{w} {b} S.r.l."
        lines = (f"Via Roma {n % 99 + 1}", f"{rng.choice(('20121 Milano', '16121 Genova'))}, Italy")
    elif country == "ES":
        name = f"{w} {b} S.L."
        lines = (f"Calle Mayor {n % 99 + 1}", "46001 Valencia, Spain")
    elif country == "JP":
        name = f"{w} Trading Co., Ltd."
        lines = (f"3-{n % 20 + 1}-1 Shibaura, Minato-ku", "Tokyo 108-0023, Japan")
    elif country == "KR":
        name = f"{w} Korea Co., Ltd."
        lines = (f"{n} Teheran-ro, Gangnam-gu", "Seoul 06133, Korea")
    elif country == "SG":
        name = f"{w} {b} Pte. Ltd."
        lines = (f"{n % 60 + 1} Tuas Avenue 3", "Singapore 639418")
    elif country == "MY":
        name = f"{w} {b} Sdn. Bhd."
        lines = (f"Lot {n % 60 + 1}, Jalan Perusahaan 2", "41200 Klang, Selangor, Malaysia")
    elif country == "VN":
        name = f"{w} Vietnam Company Limited"
        lines = (f"Lot B{n % 9 + 1}, Tan Thuan EPZ, District 7", "Ho Chi Minh City, Vietnam")
    elif country == "AU":
        name = f"{w} {b} Pty Ltd"
        lines = (f"{n % 90 + 1} Fitzgerald Road", "Laverton North VIC 3026, Australia")
    elif country == "AE":
        name = f"{w} General Trading {rng.choice(('LLC', 'FZE'))}"
        lines = (f"Plot S{30000 + n}, Jebel Ali Free Zone", "Dubai, United Arab Emirates")
    elif country == "BR":
        name = f"{w} Comercial Ltda."
        lines = (f"Rua Augusta {n + 100}", "Sao Paulo - SP, 01304-001, Brazil")
    elif country == "IN":
        name = f"{w} Exports Pvt. Ltd."
        lines = (f"Plot {n % 90 + 1}, MIDC Industrial Area", "Pune 411019, India")
    elif country == "CL":
        name = f"Viña {w} S.A."
        lines = (f"Av. Apoquindo {n + 3000}", "Santiago, Chile")
    elif country == "NZ":
        name = f"{w} {b} Ltd"
        lines = (f"{n % 90 + 1} Great South Road", "Auckland 1061, New Zealand")
    else:  # PL
        name = f"{w} {b} Sp. z o.o."
        lines = (f"ul. Portowa {n % 90 + 1}", "80-601 Gdansk, Poland")
    return Company(name=name, address=lines, country=country, phone=phone)


def _cn_company(rng: random.Random) -> Company:
    city, city_zh, prov, prov_zh, post, region, area = rng.choice(_CN_CITIES)
    core, core_zh = rng.choice(_CN_CORES)
    trade, trade_zh = rng.choice(_CN_TRADES)
    street, street_zh = rng.choice(_CN_STREETS)
    no = rng.randint(8, 888)
    # Unified social credit code: 91 (enterprise) + region + 9-char org code + check digit.
    body = "91" + region + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return Company(
        name=f"{city} {core} {trade} Co., Ltd.",
        address=(f"No. {no} {street}, {city}", f"{prov} {post}, China"),
        country="CN",
        name_zh=f"{city_zh}{core_zh}{trade_zh}有限公司",
        address_zh=f"{prov_zh}{city_zh}市{street_zh}{no}号",
        city_zh=city_zh,
        tax_id=body + uscc.calc_check_digit(body),
        phone=f"+86 {area} {rng.randint(8000_0000, 8999_9999)}",
    )


def company(rng: random.Random, country: str) -> Company:
    return _cn_company(rng) if country == "CN" else _foreign_company(rng, country)


# --- goods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    description: str
    description_zh: str
    spec_zh: str  # 规格型号 / 申报要素 line on the Chinese declaration
    hs10: str  # Chinese 10-digit code; the 6/8-digit codes are its prefixes
    unit: str
    unit_zh: str
    price: tuple[float, float]  # unit price range, USD
    net_kg: float  # per unit
    per_package: int  # units per carton
    cbm_per_package: float
    origins: tuple[str, ...]  # countries that make it


PRODUCTS: tuple[Product, ...] = (
    Product("Electric kettle 1.7L stainless steel", "电热水壶", "1.7升|不锈钢|220V|无品牌",
            "8516799000", "PCS", "个", (6.5, 12.0), 1.05, 12, 0.09, ("CN",)),
    Product("LED panel light 600x600mm 40W", "LED平板灯", "40W|600x600mm|铝框|无品牌",
            "9405119000", "PCS", "个", (8.0, 15.0), 2.4, 4, 0.07, ("CN", "VN")),
    Product("Power adapter 12V 2A", "电源适配器", "12V 2A|开关电源|无品牌",
            "8504401400", "PCS", "个", (1.6, 3.2), 0.16, 100, 0.05, ("CN", "VN", "MY")),
    Product("USB-C charging cable 1m", "USB数据线", "1米|铜芯|带接头|无品牌",
            "8544421100", "PCS", "条", (0.45, 1.2), 0.035, 500, 0.04, ("CN", "VN")),
    Product("Laptop computer 14 inch", "笔记本电脑", "14英寸|i5处理器|16GB|512GB",
            "8471301000", "SETS", "台", (310.0, 560.0), 1.45, 5, 0.06, ("CN", "MY")),
    Product("Solid wood dining table", "木制餐桌", "橡木|160x90cm|拆装|无品牌",
            "9403609990", "PCS", "件", (68.0, 140.0), 32.0, 1, 0.19, ("CN", "VN", "MY", "PL")),
    Product("Upholstered dining chair, metal frame", "金属框架软垫椅", "铁架|布面|无品牌",
            "9401710000", "PCS", "把", (14.0, 28.0), 6.5, 2, 0.16, ("CN", "VN", "PL")),
    Product("Men's cotton knitted T-shirt", "男式棉制针织T恤衫", "针织|100%棉|男式|无品牌",
            "6109100021", "PCS", "件", (1.9, 4.5), 0.18, 100, 0.08, ("CN", "VN", "IN")),
    Product("Men's cotton trousers", "男式棉制长裤", "梭织|100%棉|男式|无品牌",
            "6203429090", "PCS", "条", (5.5, 11.0), 0.55, 50, 0.09, ("CN", "VN", "IN")),
    Product("Sports shoes, textile upper", "纺织材料鞋面运动鞋", "纺织鞋面|橡胶底|无品牌",
            "6404110000", "PRS", "双", (7.5, 16.0), 0.72, 12, 0.1, ("CN", "VN")),
    Product("Stainless steel cookware set 5 pcs", "不锈钢炊具套装", "5件套|不锈钢|无品牌",
            "7323930000", "SETS", "套", (11.0, 24.0), 4.2, 4, 0.11, ("CN", "IN")),
    Product("Plastic food storage box set", "塑料保鲜盒套装", "PP塑料|10件套|无品牌",
            "3924100000", "SETS", "套", (1.8, 4.0), 0.62, 24, 0.08, ("CN", "VN")),
    Product("Plastic building blocks toy set", "塑料积木玩具", "塑料|500块|3岁以上|无品牌",
            "9503006000", "SETS", "套", (3.2, 7.8), 0.85, 24, 0.09, ("CN",)),
    Product("Cordless electric drill 18V", "无绳电钻", "18V|锂电池|手提式|无品牌",
            "8467211000", "PCS", "台", (17.0, 32.0), 1.6, 6, 0.05, ("CN", "MY", "DE")),
    Product("Brass ball valve DN25", "黄铜球阀", "DN25|黄铜|手动|无品牌",
            "8481804090", "PCS", "个", (2.6, 5.4), 0.42, 60, 0.03, ("CN", "IN", "IT")),
    Product("Polyester backpack", "涤纶背包", "涤纶面料|30升|无品牌",
            "4202921000", "PCS", "个", (3.5, 8.0), 0.48, 40, 0.12, ("CN", "VN")),
    Product("Cotton bed sheet set, queen size", "棉制床单套件", "100%棉|机织|无品牌",
            "6302319000", "SETS", "套", (6.0, 13.0), 1.3, 20, 0.1, ("CN", "IN")),
    Product("Red wine, 750ml bottles", "红葡萄酒", "750毫升|13.5%vol|干红",
            "2204210000", "BTLS", "瓶", (3.8, 18.0), 1.25, 12, 0.018,
            ("FR", "AU", "CL", "IT", "ES")),
    Product("Whole milk powder, 25 kg bags", "全脂奶粉", "脂肪含量26%|25千克/袋",
            "0402210000", "KGS", "千克", (3.1, 4.4), 1.0, 25, 0.0016, ("NZ", "NL", "AU")),
    Product("CNC machining centre, vertical", "立式加工中心", "立式|三轴|数控",
            "8457101000", "SETS", "台", (42000.0, 98000.0), 5200.0, 1, 18.0, ("DE", "JP", "IT")),
    Product("Steel office desk 140x70cm", "钢制办公桌", "钢制|办公室用|无品牌",
            "9403100000", "PCS", "张", (38.0, 75.0), 24.0, 1, 0.12, ("CN", "VN", "PL")),
    Product("Swivel office chair, adjustable height", "可调高度转椅", "钢架|网布|可升降|无品牌",
            "9401390000", "PCS", "把", (16.0, 34.0), 9.5, 1, 0.21, ("CN", "VN")),
    Product("Brake pads for passenger cars", "乘用车制动片", "陶瓷|乘用车用|无品牌",
            "8708301000", "SETS", "套", (4.5, 12.0), 1.1, 20, 0.03, ("CN", "DE", "JP", "KR")),
    Product("Facial moisturising cream 50ml", "面部保湿霜", "50毫升|护肤用",
            "3304990000", "PCS", "个", (2.8, 9.5), 0.09, 120, 0.03, ("KR", "FR", "JP")),
)  # fmt: skip


# Goods that travel together: one shipment carries one kind.
CATEGORIES: dict[str, str] = {
    "8516799000": "electrical", "9405119000": "electrical", "8504401400": "electrical",
    "8544421100": "electrical", "8471301000": "electrical", "8467211000": "electrical",
    "9403609990": "furniture", "9401710000": "furniture", "9403100000": "furniture",
    "9401390000": "furniture", "6109100021": "apparel", "6203429090": "apparel",
    "6404110000": "apparel", "4202921000": "apparel", "7323930000": "household",
    "3924100000": "household", "9503006000": "household", "6302319000": "household",
    "8481804090": "industrial", "8708301000": "industrial", "8457101000": "industrial",
    "2204210000": "food", "0402210000": "food", "3304990000": "cosmetics",
}  # fmt: skip


@dataclass(frozen=True)
class LineItem:
    product: Product
    quantity: int
    unit_price: Decimal
    packages: int
    net_kg: Decimal
    gross_kg: Decimal
    cbm: Decimal
    origin: str
    model: str

    @property
    def amount(self) -> Decimal:
        return money(self.unit_price * self.quantity)

    @property
    def description(self) -> str:
        return self.product.description

    @property
    def hs6(self) -> str:
        return self.product.hs10[:6]

    @property
    def hs8(self) -> str:
        return self.product.hs10[:8]


@dataclass(frozen=True)
class Container:
    number: str  # ISO 6346, check digit included
    size_type: str  # "40HC", "20GP"
    seal: str


CARRIERS = (
    # name, SCAC/B/L prefix, own container owner code
    ("OCEANIC STAR LINES", "OSLU", "OSLU"),
    ("PACIFIC MERIDIAN SHIPPING", "PMSC", "PMSU"),
    ("NORDHAFEN CONTAINER LINE", "NHCL", "NHCU"),
    ("JADE HARBOUR SHIPPING CO.", "JHSC", "JHSU"),
    ("BLUE ANCHOR LINE", "BALU", "BALU"),
)
LESSORS = ("TGHU", "TCNU", "CAIU", "SEGU", "FSCU", "TEMU", "BMOU", "GESU", "TRHU")
AIRLINES = (
    ("SKYBRIDGE CARGO AIRLINES", "176"),
    ("ORIENT AIR CARGO", "784"),
    ("EUROWINGS FREIGHT AG", "020"),
    ("CATHAY STAR AIRWAYS", "160"),
    ("MERLION AIR CARGO", "618"),
)
FORWARDERS = (
    "Globelink Logistics Co., Ltd.",
    "Sinotrans Express Forwarding Co., Ltd.",
    "Seabridge Freight Services Ltd",
    "Hanse Spedition GmbH",
)
VESSELS = (
    "OCEANIC HARMONY", "PACIFIC TRADER", "NORDIC BREEZE", "JADE FORTUNE", "BLUE HORIZON",
    "STAR ALDEBARAN", "MERIDIAN GRACE", "EASTERN PROMISE",
)  # fmt: skip

# Chinese customs offices (关区代码) by port of loading/discharge.
CN_CUSTOMS = {
    "CNNGB": ("3104", "北仑海关"),
    "CNSHA": ("2248", "洋山海关"),
    "CNYTN": ("5316", "大鹏海关"),
    "CNTAO": ("4258", "黄岛海关"),
    "CNXMN": ("3701", "东渡海关"),
    "PVG": ("2233", "浦东机场海关"),
    "CAN": ("5141", "白云机场海关"),
    "SZX": ("5305", "深圳机场海关"),
}
PACKAGE_KINDS = (
    # (English plural, abbreviation, Chinese)
    ("CARTONS", "CTNS", "纸箱"),
    ("PALLETS", "PLTS", "托盘"),
    ("WOODEN CASES", "CASES", "木箱"),
    ("BAGS", "BAGS", "袋"),
)
INCOTERMS_SEA = ("FOB", "FOB", "CIF", "CFR", "EXW", "FCA")
INCOTERMS_AIR = ("FCA", "CPT", "CIP", "DAP", "EXW")


@dataclass(frozen=True)
class Shipment:
    """One consignment and every reference its documents share."""

    ref: str  # file stem prefix, e.g. "trade-007"
    direction: str  # "export" (from CN), "import" (into CN), "other"
    mode: str  # "sea" or "air"
    seller: Company
    buyer: Company
    notify: Company | None
    origin: str  # country of origin of the goods (document level)
    export_country: str
    destination: str
    incoterm: str
    incoterm_place: str
    currency: str
    lines: tuple[LineItem, ...]
    package_kind: tuple[str, str, str]
    invoice_number: str
    invoice_date: date
    contract_number: str
    payment_terms: str
    carrier: str
    transport_number: str  # B/L or AWB number
    vessel: str  # vessel or flight
    voyage: str
    loading: Port
    discharge: Port
    onboard_date: date
    arrival_date: date
    containers: tuple[Container, ...]
    declaration_number: str
    pre_entry_number: str
    declaration_date: date
    customs_office: tuple[str, str]
    marks: str

    @property
    def total_amount(self) -> Decimal:
        return sum((li.amount for li in self.lines), Decimal("0.00"))

    @property
    def packages(self) -> int:
        return sum(li.packages for li in self.lines)

    @property
    def gross_kg(self) -> Decimal:
        return sum((li.gross_kg for li in self.lines), Decimal("0.00"))

    @property
    def net_kg(self) -> Decimal:
        return sum((li.net_kg for li in self.lines), Decimal("0.00"))

    @property
    def cbm(self) -> Decimal:
        return sum((li.cbm for li in self.lines), Decimal("0.000"))

    @property
    def hs_codes(self) -> tuple[str, ...]:
        return tuple(li.product.hs10 for li in self.lines)

    @property
    def exporter(self) -> Company:
        return self.seller

    @property
    def importer(self) -> Company:
        return self.buyer


def _container_number(rng: random.Random, owner: str) -> str:
    body = owner + f"{rng.randint(0, 999999):06d}"
    return body + iso6346.calc_check_digit(body)


def _awb_number(rng: random.Random, prefix: str) -> str:
    serial = rng.randint(1_000_000, 9_999_999)
    return f"{prefix}-{serial}{serial % 7}"


def _lines(rng: random.Random, products: list[Product], origin: str) -> tuple[LineItem, ...]:
    out = []
    for p in products:
        if p.per_package == 1 and p.net_kg > 1000:  # machines: a few units
            qty = rng.randint(1, 3)
        else:
            qty = p.per_package * rng.randint(
                max(1, 40 // p.per_package), rng.choice((90, 160, 300))
            )
        lo, hi = p.price
        price = Decimal(str(round(rng.uniform(lo, hi), 2)))
        packages = -(-qty // p.per_package)
        net = money(Decimal(str(p.net_kg)) * qty * Decimal(str(rng.uniform(0.97, 1.03))))
        # Packaging: a carton, a pallet or a crate adds a share of weight, never none.
        tare = Decimal(str(rng.uniform(0.4, 1.8))) * packages + net * Decimal("0.03")
        if p.net_kg > 1000:
            tare = net * Decimal("0.08")
        gross = money(net + tare)
        cbm = Decimal(str(p.cbm_per_package * packages)).quantize(Decimal("0.001"))
        model = f"{''.join(rng.choice('ABCDEFHJKMRST') for _ in range(2))}-{rng.randint(100, 9999)}"
        out.append(
            LineItem(
                product=p,
                quantity=qty,
                unit_price=price,
                packages=packages,
                net_kg=net,
                gross_kg=gross,
                cbm=cbm,
                origin=origin if origin in p.origins else p.origins[0],
                model=model,
            )
        )
    return tuple(out)


def _initials(name: str) -> str:
    """Shipping marks name the buyer by its initials: "LDL" for Liberty Distribution Ltd."""
    return "".join(w[0] for w in name.replace(",", " ").split()[:3] if w[0].isalpha()).upper()


def make_shipment(rng: random.Random, index: int) -> Shipment:
    """A consistent shipment: every document of it is rendered from this."""
    direction = rng.choices(("export", "import", "other"), weights=(5, 2, 3))[0]
    foreign = [c for c in COUNTRIES if c != "CN"]
    if direction == "export":
        export_country, destination = "CN", rng.choice(foreign)
        candidates = [p for p in PRODUCTS if "CN" in p.origins]
    elif direction == "import":
        candidates = [p for p in PRODUCTS if any(o != "CN" for o in p.origins)]
        first = rng.choice(candidates)
        export_country, destination = rng.choice([o for o in first.origins if o != "CN"]), "CN"
        candidates = [p for p in candidates if export_country in p.origins]
    else:
        makers = ("VN", "MY", "IN", "DE", "IT", "PL", "JP", "KR")
        export_country = rng.choice(makers)
        destination = rng.choice([c for c in foreign if c != export_country])
        candidates = [p for p in PRODUCTS if export_country in p.origins]
    category = CATEGORIES[rng.choice(candidates).hs10]
    candidates = [p for p in candidates if CATEGORIES[p.hs10] == category]
    n_lines = min(len(candidates), rng.choice((1, 2, 2, 3, 3, 4, 5)))
    products = rng.sample(candidates, n_lines)
    seller = company(rng, export_country)
    buyer = company(rng, destination)
    lines = _lines(rng, products, export_country)
    origin = export_country
    light = sum(li.gross_kg for li in lines) < 3000 and all(p.net_kg < 20 for p in products)
    mode = "air" if light and rng.random() < 0.5 else "sea"
    incoterm = rng.choice(INCOTERMS_AIR if mode == "air" else INCOTERMS_SEA)
    ports = AIRPORTS if mode == "air" else SEA_PORTS
    loading = rng.choice(ports[export_country])
    discharge = rng.choice(ports[destination])
    place = loading.name if incoterm in ("FOB", "FCA", "EXW") else discharge.name
    currency = "USD"
    if destination in ("DE", "NL", "FR", "IT", "ES", "PL") or export_country in ("DE", "IT", "FR"):
        currency = rng.choice(("EUR", "USD"))
    elif destination == "GB":
        currency = rng.choice(("GBP", "USD"))
    elif destination == "AU" and direction != "export":
        currency = "AUD"
    invoice_date = date(2026, 1, 5) + timedelta(days=rng.randint(0, 300))
    year = invoice_date.year
    if mode == "sea":
        carrier, scac, own = rng.choice(CARRIERS)
        transport_number = f"{scac}{loading.code[2:4]}{rng.randint(100000, 999999)}"
        vessel = rng.choice(VESSELS)
        voyage = f"{rng.randint(100, 999)}{rng.choice('EWNS')}"
        cbm = float(sum(li.cbm for li in lines))
        count = max(1, min(3, math.ceil(cbm / 58)))  # a 40' high cube holds ~68 m³
        size = "20GP" if cbm < 25 else "40HC"
        containers = tuple(
            Container(
                number=_container_number(rng, rng.choice((own, own, *LESSORS))),
                size_type=size,
                seal=f"{scac[:2]}{rng.randint(1000000, 9999999)}",
            )
            for _ in range(count)
        )
    else:
        carrier, prefix = rng.choice(AIRLINES)
        transport_number = _awb_number(rng, prefix)
        vessel = f"{''.join(rng.choice('ABCEKMOQRSTUXZ') for _ in range(2))}{rng.randint(100, 989)}"
        voyage = ""
        containers = ()
    onboard = invoice_date + timedelta(days=rng.randint(2, 12))
    transit = rng.randint(2, 4) if mode == "air" else rng.randint(14, 38)
    arrival = onboard + timedelta(days=transit)
    # Exports are declared before loading; imports after arrival.
    if direction == "import":
        decl_date = arrival + timedelta(days=rng.randint(0, 3))
    else:
        decl_date = onboard - timedelta(days=rng.randint(0, 2))
    cn_port = loading if direction == "export" else discharge
    office = CN_CUSTOMS.get(cn_port.code, ("2248", "洋山海关"))
    flag = "1" if direction == "import" else "0"
    if direction in ("export", "import"):
        declaration_number = f"{office[0]}{year}{flag}{rng.randint(0, 999_999_999):09d}"
        pre_entry = f"{office[0]}{year}{flag}{rng.randint(0, 999_999_999):09d}"
    else:
        # EU-style MRN: year, country, 12 characters, a check character; others: a plain ref.
        declaration_number = (
            f"{year % 100}{export_country}{rng.randint(10**11, 10**12 - 1)}"
            f"{rng.choice('ABCDEFGHJK')}{rng.randint(0, 9)}"
        )
        pre_entry = f"LRN{rng.randint(10**8, 10**9 - 1)}"
    prefix = "".join(w[0] for w in seller.name.split()[:3]).upper().replace(".", "")
    invoice_number = rng.choice(
        (
            f"{prefix}{year % 100}{rng.randint(1000, 9999)}",
            f"INV-{year}-{rng.randint(100, 9999):04d}",
            f"{prefix}-EX{year % 100}{rng.randint(100, 999)}",
        )
    )
    kind = PACKAGE_KINDS[0]
    if any(p.per_package == 1 for p in products):
        kind = PACKAGE_KINDS[2]
    elif any(p.unit == "KGS" for p in products):
        kind = PACKAGE_KINDS[3]
    elif rng.random() < 0.15:
        kind = PACKAGE_KINDS[1]
    notify = buyer if rng.random() < 0.6 else None
    return Shipment(
        ref=f"trade-{index:03d}",
        direction=direction,
        mode=mode,
        seller=seller,
        buyer=buyer,
        notify=notify,
        origin=origin,
        export_country=export_country,
        destination=destination,
        incoterm=incoterm,
        incoterm_place=place,
        currency=currency,
        lines=lines,
        package_kind=kind,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        # Exporters commonly declare the invoice number as the contract number; one shared
        # reference keeps cross-document checks about the data, not about numbering habits.
        contract_number=invoice_number,
        payment_terms=rng.choice(
            ("T/T 30% deposit, 70% against B/L copy", "L/C at sight", "T/T 60 days", "D/P at sight")
        ),
        carrier=carrier,
        transport_number=transport_number,
        vessel=vessel,
        voyage=voyage,
        loading=loading,
        discharge=discharge,
        onboard_date=onboard,
        arrival_date=arrival,
        containers=containers,
        declaration_number=declaration_number,
        pre_entry_number=pre_entry,
        declaration_date=decl_date,
        customs_office=office,
        marks=f"{_initials(buyer.name)}\n{discharge.name.upper()}\nC/NO. 1-{{n}}",
    )


def with_line(shipment: Shipment, index: int, **changes: object) -> Shipment:
    """The shipment with one line item changed (for injected disagreements)."""
    lines = list(shipment.lines)
    lines[index] = replace(lines[index], **changes)  # type: ignore[arg-type]
    return replace(shipment, lines=tuple(lines))
