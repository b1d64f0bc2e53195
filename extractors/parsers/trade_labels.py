"""Labels of trade papers (customs declarations, commercial invoices, packing lists, bills of
lading, air waybills), in English and Chinese, one pattern per field.

Chinese labels are matched without word boundaries (no spaces between words); a bracketed
unit or qualifier after a label ("毛重(千克)", "运抵国(地区)", "Gross weight (kg)") is part of
the label.
"""

from __future__ import annotations

import re

# "(地区)", "(千克)", "(kg)", "（KGS）": a qualifier in half- or full-width brackets.
_QUAL = r"(?:\s*[(（][^)）]{0,40}[)）])?"
# OCR misreads a character of a short Chinese label ("毛腊(千克)" for 毛重(千克)); the unit
# in brackets after it still tells the label.
# A label ends at a colon or the next word; "No." / "#" / "号" are part of the label.
_NO = r"(?:\s*(?:no\.?|nos\.?|number|nr\.?|#|ref\.?))?"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern}){_QUAL}", re.IGNORECASE)


DECLARATION_NUMBER = _rx(
    r"\b(?:customs\s*)?declaration\s*(?:no\b\.?|number|nr\b\.?|#)|\bentry\s*(?:no\b\.?|number)"
    r"|\bmrn\b|\bcustoms\s*ref(?:erence)?(?:\s*no\b\.?)?|\bSAD\s*(?:no\b\.?|number)"
    r"|海关编号|报关单号"
)
# The number a declaration had before customs accepted it: the declaration's number only when
# no customs number is printed.
PRE_ENTRY_NUMBER = _rx(r"预录入编号|\bpre-?\s*entry\s*(?:no\b\.?|number)|\blrn\b")
DOCUMENT_NUMBER = _rx(
    r"\b(?:commercial\s*)?invoice\s*(?:no\b\.?|nos\b\.?|number|nr\b\.?|#)"
    r"|\bpacking\s*list\s*(?:no\b\.?|number|#)|\bP\s*/\s*L\s*(?:no\b\.?|#)|\binv\.?\s*no\b\.?"
    r"|\b(?:document|doc\.?)\s*(?:no\b\.?|number)|\bref(?:erence)?\s*(?:no\b\.?|number)"
    r"|发票号码?|发票编号|装箱单号|单据号"
)
# A contract's number: what a customs declaration quotes as its commercial document.
CONTRACT_NUMBER = _rx(r"合同协议号|合同号|\bcontract\s*(?:no\b\.?|number)")
DECLARATION_DATE = _rx(
    r"\bdate\s*of\s*(?:declaration|acceptance|lodg(?:e)?ment|entry)\b"
    r"|\b(?:declaration|acceptance|entry|lodg(?:e)?ment)\s*date\b|申报日期"
)
# The shipment's own dates on a declaration, when it has no declaration date.
SHIPMENT_DATE = _rx(r"出口日期|进口日期|\bexport\s*date\b|\bdate\s*of\s*export\b")
DOCUMENT_DATE = _rx(
    r"\b(?:invoice|document|packing\s*list|issue|issuing)\s*date\b|\bdate\s*of\s*(?:issue|invoice)"
    r"|\bplace\s*and\s*date\s*of\s*issue\b|\bshipped\s*on\s*board(?:\s*date)?\b"
    r"|\bon\s*board\s*date\b|\bdate\b|发票日期|签发日期|开票日期|日期"
)
# "Shipper's Name and Address" (air waybills) is a label; "Shipper's Load and Count" is not.
_NAME_ADDRESS = r"(?:['’]s\s*name\s*(?:and|&)\s*address)?(?!['’]s)"
CONSIGNOR = _rx(
    r"\b(?:consignor|exporter|shipper|seller|sender)\b(?:\s*/\s*(?:consignor|exporter|shipper"
    r"|seller|sender|manufacturer)\b)?"
    + _NAME_ADDRESS
    + r"|境内发货人|境外发货人|发货人|托运人|出口商|出口方|卖方"
)
CONSIGNEE = _rx(
    r"\b(?:consignee|importer|buyer|receiver)\b(?:\s*/\s*(?:consignee|importer|buyer|receiver)\b)?"
    + _NAME_ADDRESS
    + r"|\bsold\s*to\b|境外收货人|境内收货人|收货人|进口商|进口方|买方"
)
ORIGIN = _rx(
    r"\bcountry\s*of\s*(?:origin|manufacture)\b|\borigin\s*country\b|\bmade\s*in\b"
    r"|\bc/o\b|\bc\.\s*orig(?:in)?\.?(?:\s*code)?|\borigin\s*of\s*(?:the\s*)?goods\b|\borigin\b(?!\s*(?:port|airport|station))|原产国|原产地|产地"
)
DESTINATION = _rx(
    r"\b(?:country\s*of\s*(?:final\s*)?destination|(?:final\s*)?destination\s*country"
    r"|final\s*destination|country\s*of\s*arrival)\b|运抵国|最终目的国|目的国"
)
# Where the goods are unloaded: names a port, sometimes with its country.
DESTINATION_PLACE = _rx(
    r"\bport\s*of\s*(?:discharge|destination|unloading)\b|\bplace\s*of\s*delivery\b"
    r"|\bairport\s*of\s*destination\b|\bdestination\b|卸货港|目的港|指运港|目的地"
)
INCOTERMS = _rx(
    r"\bincoterms?(?:\s*20\d\d)?|\bterms\s*of\s*(?:delivery|sale|trade)\b|\bdelivery\s*terms\b"
    r"|\btrade\s*terms\b|\bprice\s*terms\b|\bterms\b|成交方式|贸易术语|价格条款|交货条件"
)
CURRENCY = _rx(r"\bcurrency\b|\bwährung\b|币制|币种|币别")
TOTAL = _rx(
    r"\b(?:total\s*(?:invoice\s*)?(?:value|amount)|invoice\s*(?:total|value)|grand\s*total"
    r"|declared\s*value|total\s*(?:cif|fob)\s*value|total\s*price|total)\b"
    r"|总价|总金额|总值|合计金额|金额合计|总计|合计"
)
GROSS_WEIGHT = _rx(
    r"\b(?:total\s*)?gross\s*(?:weight|wt|mass)\b\.?|\bG\.?\s?/?\s?W\.?(?![A-Za-z])|毛重|毛[^\s(（]?(?=[(（]\s*(?:千克|公斤|kg))"
)
NET_WEIGHT = _rx(
    r"\b(?:total\s*)?net\s*(?:weight|wt|mass)\b\.?|\bN\.?\s?/?\s?W\.?(?![A-Za-z])|净重"
    r"|净[^\s(（]?(?=[(（]\s*(?:千克|公斤|kg))"
)
PACKAGES = _rx(
    r"\b(?:total\s*)?(?:number|no\.?|quantity|qty)\s*(?:and\s*kind\s*)?of\s*(?:packages|pkgs|"
    r"cartons|packing)\b|(?<!kind\sof\s)(?<!\d\s)(?<!\d)\b(?:total\s*)?(?:packages|pkgs|cartons|ctns)\b"
    r"|(?<!\d\s)(?<!\d)\bpkgs?\b\.?"
    r"|包装件数|总件数|件数"
)
TRANSPORT_DOCUMENT = _rx(
    r"\b(?:b\s*/\s*l|bl|bill\s*of\s*lading|sea\s*-?\s*way\s*-?\s*bill|air\s*-?\s*way\s*-?\s*bill"
    r"|awb|mawb|hawb|waybill|transport\s*document)\s*(?:no\b\.?|nos\b\.?|number|nr\b\.?|#)"
    r"|提运单号|提单号|运单号|提单编号"
)
CONTAINER = _rx(r"\bcontainer\s*(?:no\b\.?|nos\b\.?|numbers?|#)?s?|集装箱号|集装箱")
HS_CODE = _rx(
    r"\b(?:hs|h\.s\.|harmoni[sz]ed(?:\s*system)?|commodity|tariff|customs)\s*(?:tariff\s*)?"
    r"(?:code|no\b\.?|number|heading|classification)s?\b|\bhs\b|商品编号|商品编码|海关编码|HS\s*编码|税则号列?|税号"
)

# Labels inside one item's block of a form (the EU SAD's boxes 31-46).
ITEM_QUANTITY = _rx(r"\bsupplementary\s*units?\b|\bquantity\b|数量")
ITEM_VALUE = _rx(
    r"\bstatistical\s*value\b|\bitem\s*(?:price|value|amount)\b|\bcustoms\s*value\b|总价"
)
ITEM_DESCRIPTION = _rx(
    r"\b(?:packages\s*and\s*)?description\s*of\s*(?:the\s*)?goods\b|\bgoods\s*description\b"
    r"|商品名称"
)
ITEM_COMMODITY_CODE = _rx(r"\bcommodity\s*code\b|\bHS\s*code\b|\btariff\s*code\b|商品编号")

# Line-item table columns.
COL_DESCRIPTION = re.compile(
    r"\b(?:description|goods|commodity|product|article|item\s*description|marks\s*(?:&|and)\s*nos"
    r")\b|商品名称|品名|货物名称|货物描述|名称",
    re.IGNORECASE,
)
COL_QUANTITY = re.compile(r"\b(?:qty|quantity|quantities|pcs|menge)\b|数量", re.IGNORECASE)
COL_UNIT_PRICE = re.compile(
    r"\bunit\s*(?:price|value|cost)\b|\bprice\b(?:\s*/\s*unit)?|\bu/?\s*price\b|单价",
    re.IGNORECASE,
)
COL_AMOUNT = re.compile(
    r"\b(?:amount|total\s*(?:value|amount|price)?|line\s*total|value|extension|betrag)\b|总价|金额",
    re.IGNORECASE,
)
COL_HS = re.compile(
    r"\b(?:hs|h\.s\.)\s*(?:code|no\b\.?)?|\btariff\s*(?:code|no\b\.?)|\bcommodity\s*code\b"
    r"|商品编号|商品编码|HS\s*编码|税号",
    re.IGNORECASE,
)
COL_PACKAGES = re.compile(
    r"\bno\.?\s*of\s*pieces\b|\b(?:no\.?\s*of\s*|qty\s*of\s*)?(?:packages|pkgs?|cartons|ctns?|pallets|plts|cases|crates"
    r"|bales|rolls)\b|件数|箱数|包装件数",
    re.IGNORECASE,
)
COL_ITEM = re.compile(r"^(?:item|no\.?|#|s/?n|line|pos\.?|项号|序号)$", re.IGNORECASE)
# A table's end: its totals row, a "say" line, remarks or a signature.
TABLE_END = re.compile(
    r"^\W*(?:\d{1,2}[.,)]\s*)?(?:declaration\b|total|totals|grand\s*total|sub\s*-?total|say\b|remarks?|合计|总计|共计|备注|特此"
    r"|we\s*hereby|signature|declarant)",
    re.IGNORECASE,
)
TOTAL_ROW = re.compile(r"^\W*(?:total|totals|grand\s*total|合计|总计|共计)", re.IGNORECASE)

# Any label: where a value printed right of its own label stops.
ANY_LABEL: tuple[re.Pattern[str], ...] = (
    DECLARATION_NUMBER,
    PRE_ENTRY_NUMBER,
    CONTRACT_NUMBER,
    DOCUMENT_NUMBER,
    DECLARATION_DATE,
    SHIPMENT_DATE,
    CONSIGNOR,
    CONSIGNEE,
    ORIGIN,
    DESTINATION,
    DESTINATION_PLACE,
    INCOTERMS,
    CURRENCY,
    GROSS_WEIGHT,
    NET_WEIGHT,
    PACKAGES,
    TRANSPORT_DOCUMENT,
    HS_CODE,
    re.compile(
        r"\b(?:port\s*of\s*loading|(?:also\s*)?notify(?:\s*party)?|vessel|voyage|flight|payment\s*terms|date|"
        r"mode\s*of\s*transport|marks)\b|出境关别|进境关别|备案号|运输方式|运输工具名称|监管方式"
        r"|征免性质|许可证号|合同协议号|包装种类|随附单证|标记唛码|装货港|离境口岸|境内货源地"
        r"|生产销售单位|消费使用单位|申报单位|贸易国",
        re.IGNORECASE,
    ),
)


def starts_with_label(text: str) -> bool:
    """Whether ``text`` begins with a known label (the next box of a form line)."""
    # A box number before the label ("8. Port of loading"), but not a value's figures.
    stripped = re.sub(r"^[\s:：|.,;]*(?:\d{1,2}[.,)]\s*(?=\D))?", "", text)
    return any(p.match(stripped) for p in ANY_LABEL)
