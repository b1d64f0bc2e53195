"""Guess a document's type: receipt, invoice, credit note or one of the trade papers.

Scoring is keyword and layout based: each type collects weighted evidence, and the winner must
both reach a minimum score and beat the runner-up clearly, else the result is ``unknown``.
A title at the top of page 1 ("PACKING LIST", "商业发票") weighs more than the same words in
the body: trade papers quote each other ("Invoice No." on a packing list, "B/L No." on a
commercial invoice).
"""

from __future__ import annotations

import re

from docintake.domain import DocumentText, DocumentType, Line

_Rule = tuple[re.Pattern[str], float]


def _rules(*pairs: tuple[str, float]) -> tuple[_Rule, ...]:
    return tuple((re.compile(p, re.IGNORECASE), w) for p, w in pairs)


# Each pattern counts once per document: repeated boilerplate should not outvote structure.
_RECEIPT = _rules(
    (r"\bcashier\b|\bkasir\b|\boperator\b|\bclerk\d*\b", 2.0),
    # Till abbreviations: "TTL CASH", "TTL AFT RND".
    (r"\bttl\b", 1.0),
    # Till item lines: "2x 4.50", "1 X 19.00".
    (r"(?<![\w.])\d{1,3}\s?[x×]\s?\d+\.\d{2}\b", 1.0),
    (r"\bchange\b(?!\s+(?:of|to|in)\b)", 1.5),
    (r"\bcash\b", 1.0),
    # Money handed over at the counter, with its amount: "CASH RM 50.00", "TUNAI 20.00".
    (r"\b(?:cash|tunai|tender(?:ed)?|change|baki)\b[^\n\d]{0,20}\d+\.\d{2}\b", 1.5),
    (r"\brounding\b|\bround(?:ing)?\s*adj", 2.0),
    (r"\btotal\s*(?:\(?incl\.?\s*(?:gst|sst|vat)\)?|rounded|qty)", 1.5),
    (r"\b(?:gst|sst)\s*summary\b|\bgst\s*@?\s*\d|\bsst\s*@?\s*\d", 1.5),
    (r"\breceipt\b", 2.0),
    (r"\bthank\s*you\b|\bplease\s*come\s*again\b|\bcome\s*again\b", 1.5),
    (r"\bgoods\s*sold\s*are\s*not\s*(?:returnable|refundable)\b|\bno\s*(?:cash\s*)?refund", 1.5),
    (r"\b(?:visa|master\s*card|mastercard|debit|credit\s*card|e-?wallet)\b", 0.5),
    (r"\btable\s*(?:no)?\b|\bpax\b|\bdine\s*in\b|\btake\s*away\b", 1.0),
    (r"\bqty\b", 0.5),
    (r"\bitem\(?s\)?\s*:?\s*\d", 1.0),
    (r"\bpos\b|\bterminal\b|\bcounter\b", 0.5),
    (r"\bsdn\.?\s*bhd\b", 0.5),
)
_INVOICE = _rules(
    (r"\binvoice\b", 2.0),
    (r"\btax\s*invoice\b", 0.5),
    (r"\bbill\s*to\b|\bsold\s*to\b|\binvoice\s*to\b|\bship\s*to\b", 2.5),
    (r"\bdue\s*date\b|\bpayment\s*due\b|\bdue\s*upon\b|\bnet\s*\d{1,3}\b", 2.0),
    (r"\binvoice\s*(?:no|number|num|#|date)\b|\binv\.?\s*(?:no|date|#)\b", 2.5),
    (r"\brechnung|\bgutschrift\b|\bfaktura\b|\bfacture\b|\bfactura\b|\bavoir\b", 3.0),
    (r"\bzahlbar\b|\bf[äa]llig|\bzahlungsbedingungen\b|\bbankverbindung\b", 1.5),
    (r"\b(?:ust|mwst|umsatzsteuer)\b|\bsteuernummer\b", 1.0),
    (r"\biban\b|\bbic\b|\bswift\b|\baccount\s*(?:no|number)\b", 1.0),
    (r"\bterms\b|\bremit\b|\bpurchase\s*order\b|\bp\.?o\.?\s*(?:no|number|#)", 1.5),
    (r"\bsubtotal\b|\bamount\s*due\b|\bbalance\s*due\b", 1.0),
    (r"\bvat\s*(?:no|number|reg)", 1.0),
    (r"\badvertiser\b|\bcontract\b|\bagency\b", 1.0),
    # Sales contracts and order confirmations bill like invoices: "Contract # 26773267",
    # "Order No. 4411", "Estimate #", with a grand total or a billing cycle.
    (r"\b(?:contract|order|estimate)\s*(?:#|no\b\.?|number\b)", 2.0),
    (r"\bgrand\s*total\b|\bgross\s*(?:amount|total)\b|\bbill(?:ing)?\s*cycle\b", 1.0),
    (r"\bcredit\s*(?:note|memo)\b", 2.0),
)
# What makes an invoice-like document a credit note (or an invoice correction, which lowers
# or cancels an invoice the same way): counted on top of the invoice evidence.
_CREDIT_BODY = _rules(
    (r"\bcredit\s*(?:note|memo)\s*(?:no|number|nr|#|date)\b", 3.0),
    (r"\bgutschrift(?:s)?\s*(?:-?\s*nr|nummer|datum)\b|\bavoir\s*n", 3.0),
    (r"\b(?:original|corrected|referenced?)\s*invoice\b|\burspr[üu]ngliche\s*rechnung\b", 1.5),
    (r"\bbezug\s*(?:auf|zu)?\s*rechnung\b|\bfacture\s*d'origine\b", 1.5),
    (r"\bcredit(?:ed)?\s*(?:amount|total)\b|\bamount\s*credited\b|\bgutschriftsbetrag\b", 1.5),
    (r"贷项通知单|红字发票|退款单", 3.0),
)
_TRADE = _rules(
    (r"\bcustoms\b", 2.5),
    (r"\bcustoms\s*declaration\b|\bsingle\s*administrative\s*document\b", 3.0),
    (r"\bSAD\b", 1.0),
    (r"\bconsignor\b|\bexporter\b|\bshipper\b", 2.0),
    (r"\bconsignee\b|\bimporter\b|\bnotify\s*party\b", 2.0),
    (r"\bhs\s*(?:code|no|tariff)|\bharmoni[sz]ed\s*(?:system|code)|\bcommodity\s*code\b", 3.0),
    (r"\btariff\b", 1.5),
    (r"\bcountry\s*of\s*origin\b|\borigin\s*country\b|\bmade\s*in\b", 2.0),
    (r"\bincoterms?\b|\b(?:EXW|FCA|FAS|FOB|CFR|CIF|CPT|CIP|DAP|DPU|DDP)\b", 1.5),
    (r"\bCN\s*2[23]\b", 3.0),
    (r"\bgross\s*(?:weight|wt|mass)\b|\bnet\s*(?:weight|wt|mass)\b|\b[GN]\.\s?W\.", 1.5),
    (r"\bport\s*of\s*(?:loading|discharge|entry)\b|\bbill\s*of\s*lading\b|\bairway\s*bill\b", 1.5),
    (r"\bdeclaration\s*(?:no|number)\b|\bmrn\b|\beori\b", 2.0),
    (r"\bduty\b|\bduties\b", 1.0),
    (r"\bcommercial\s*invoice\b|\bpro\s*-?\s*forma\s*invoice\b", 1.0),
    (r"\b[A-Z]{3}[UJZ]\s?\d{6}\s?-?\s?\d\b", 1.5),  # a container number
    (r"\bvessel\b|\bvoyage\b|\bcontainer\s*(?:no|number)s?\b|\bshipping\s*marks?\b", 1.5),
    # Chinese trade vocabulary: parties, goods code, weights, ports, countries.
    (r"发货人|收货人|托运人|通知人", 2.5),
    (r"商品编号|商品编码|海关编码|税则号", 3.0),
    (r"毛重|净重", 2.0),
    (r"原产国|原产地|运抵国|启运国|目的国", 2.0),
    (r"装货港|卸货港|起运港|目的港|启运港|离境口岸|入境口岸|指运港", 1.5),
    (r"成交方式|贸易术语|价格条款", 1.5),
    (r"集装箱|唛头|件数|包装种类", 1.5),
    (r"海关|报关", 2.5),
)
# Evidence for one trade paper rather than another, anywhere in the text.
_SPECIFIC: dict[DocumentType, tuple[_Rule, ...]] = {
    DocumentType.CUSTOMS: _rules(
        (r"\bcustoms\s*(?:declaration|entry)\b|\b(?:export|import)\s*declaration\b", 3.0),
        (r"\bsingle\s*administrative\s*document\b|\bCN\s*2[23]\b", 3.0),
        (r"\bdeclaration\s*(?:no|number|date)\b|\bmrn\b|\bdeclarant\b|\bcustoms\s*office\b", 2.0),
        (r"\bcustoms\s*(?:procedure|regime|value)\b|\bduty\s*(?:rate|payable)\b", 1.5),
        # The EU single administrative document's boxes.
        (r"\boffice\s*of\s*(?:dispatch|export|exit|departure|destination|entry)\b", 2.0),
        (r"\bcountry\s*of\s*dispatch\b|\bnature\s*of\s*transaction\b|\bstatistical\s*value\b", 2.0),
        (r"\bsupplementary\s*units\b|\b(?:gross|net)\s*mass\b|\bprocedure\b|\beori\b", 1.5),
        (r"报关单", 4.0),
        (r"海关编号|预录入编号|申报日期|申报单位|监管方式|征免性质|征免|备案号|许可证号", 2.0),
        (r"境内发货人|境外收货人|境内收货人|境外发货人|运抵国|启运国|境内货源地|境内目的地", 2.0),
    ),
    DocumentType.COMMERCIAL_INVOICE: _rules(
        (r"\bcommercial\s*invoice\b|\bpro\s*-?\s*forma\s*invoice\b", 2.5),
        (r"\bunit\s*price\b|\bprice\s*per\s*unit\b", 1.5),
        (r"\btotal\s*(?:invoice\s*)?(?:value|amount)\b|\binvoice\s*(?:total|value)\b", 1.5),
        (r"\bpayment\s*terms?\b|\bterms\s*of\s*payment\b|\bletter\s*of\s*credit\b|\bL/C\b", 1.0),
        (r"\bsold\s*to\b|\bbuyer\b|\bseller\b", 1.0),
        (r"商业发票|形式发票", 4.0),
        (r"发票号|单价|总金额|付款方式|买方|卖方", 1.5),
    ),
    DocumentType.PACKING_LIST: _rules(
        (r"\bpacking\s*(?:list|slip)\b|\bpackliste\b|\bliste\s*de\s*colisage\b", 2.5),
        (r"\bcarton\s*(?:no|nos|number)s?\b|\bctn\s*(?:no|nos)\b|\bpkg\s*no\b", 2.0),
        (r"\bmeasurement\b|\bcbm\b|\bdimensions?\b|\bvolume\b|\bm3\b", 1.5),
        (r"\bqty\s*per\s*(?:carton|ctn)\b|\bpcs\s*/\s*ctn\b|\bper\s*carton\b", 1.5),
        (r"\bN\.?\s?W\.?\s*(?:\(?kgs?\)?)?\s*/?\s*G\.?\s?W\.?|\bG\.W\.|\bN\.W\.", 1.0),
        (r"装箱单|包装单|装箱清单", 4.0),
        (r"箱号|体积|尺码|每箱", 1.5),
    ),
    DocumentType.BILL_OF_LADING: _rules(
        (r"\bbill\s*of\s*lading\b|\bsea\s*way\s*-?\s*bill\b|\bair\s*way\s*-?\s*bill\b", 2.0),
        (r"\bairwaybill\b|\bMAWB\b|\bHAWB\b|\bconsignment\s*note\b", 1.5),
        (r"\bnotify\s*party\b|\bnotify\s*address\b", 2.0),
        (r"\bshipped\s*on\s*board\b|\bon\s*board\s*date\b|\bplace\s*of\s*receipt\b", 2.0),
        (r"\bfreight\s*(?:prepaid|collect|payable)\b|\bfreight\s*(?:&|and)\s*charges\b", 2.0),
        (r"\b(?:number\s*of\s*)?original\s*b\s*/\s*l|\bocean\s*vessel\b|\bpre-?carriage\b", 2.0),
        (r"\bairport\s*of\s*(?:departure|destination)\b|\bflight\b|\bcarrier\b", 1.0),
        (r"\bport\s*of\s*(?:loading|discharge)\b|\bplace\s*of\s*delivery\b", 1.0),
        (r"提单|海运单|空运单|航空运单", 3.0),
        (r"通知人|船名|航次|装货港|卸货港|运费|正本", 1.5),
    ),
}

# Titles: what the paper calls itself, at the top of page 1. A title word followed by "No." /
# "号" is a reference to another paper ("Invoice No.", "提单号"), not a title.
_NOT_REFERENCE = r"(?!\s*(?:no\b|nos?\.|number|nr\b|#|ref|号|编号))"


def _title(pattern: str) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern}){_NOT_REFERENCE}", re.IGNORECASE)


_TITLES: dict[DocumentType, re.Pattern[str]] = {
    DocumentType.CUSTOMS: _title(
        r"(?:customs|export|import|goods)\s*declaration|declaration\s*(?:of|for)\s*(?:goods|export"
        r"|import)|single\s*administrative\s*document|\bCN\s*2[23]\b|报关单|海关(?:出口|进口)"
        r"|d\s+e\s+c\s+l\s+a\s+r\s+a\s+t\s+i\s+o\s+n"
    ),
    DocumentType.COMMERCIAL_INVOICE: _title(
        r"(?:commercial|pro\s*-?\s*forma|customs|export)\s*invoice|facture\s*commerciale"
        r"|商业发票|形式发票|出口发票"
    ),
    DocumentType.PACKING_LIST: _title(
        r"packing\s*(?:(?:/|&|and)\s*weight\s*)?(?:list|slip|specification)"
        r"|weight\s*(?:/|&|and)?\s*packing\s*list|packliste|liste\s*de\s*colisage|装箱单|包装单|装箱清单"
    ),
    DocumentType.BILL_OF_LADING: _title(
        r"bill\s*of\s*lading|sea\s*-?\s*way\s*-?\s*bill|air\s*-?\s*way\s*-?\s*bill|airwaybill"
        r"|(?:ocean|house|master|original)\s*b/?l\b|提单|海运单|空运单|航空运单"
    ),
    DocumentType.CREDIT_NOTE: _title(
        r"credit\s*(?:note|memo)|gutschrift|rechnungskorrektur|korrekturrechnung|stornorechnung"
        r"|\bavoir\b|note\s*de\s*cr[ée]dit|nota\s*de\s*cr[ée]dito|贷项通知单|红字发票"
    ),
}
# A paper titled just "INVOICE": with trade vocabulary around it, a commercial invoice.
_PLAIN_INVOICE_TITLE = re.compile(r"^\W*(?:tax\s*)?invoice\W*$|^\W*发票\W*$", re.IGNORECASE)
_TITLE_WEIGHT = 6.0
_MIN_SCORE = 3.0
_TRADE_TYPES = tuple(_SPECIFIC)


def _score(text: str, rules: tuple[_Rule, ...]) -> float:
    return sum(weight for pattern, weight in rules if pattern.search(text))


def _narrowness(text: DocumentText) -> float:
    """Layout evidence for a till roll: a tall, thin page or short lines of text."""
    page = text.pages[0] if text.pages else None
    if page is None or not page.lines or len(text.pages) > 1:
        return 0.0
    if page.height > 1.8 * page.width:
        return 3.0  # no paper format but a till roll is this elongated
    lengths = sorted(len(line.text) for line in page.lines)
    return 1.5 if lengths[len(lengths) // 2] <= 36 else 0.0


def _title_lines(text: DocumentText) -> list[Line]:
    """The head of page 1: where a paper prints what it is (after a letterhead, at most)."""
    if not text.pages:
        return []
    page = text.pages[0]
    limit = page.height * 0.3 if page.height else 0
    head = [ln for ln in page.lines[:14] if not limit or ln.top <= limit]
    return head or list(page.lines[:6])


def titled(text: DocumentText) -> set[DocumentType]:
    """Types named by a title at the top of page 1 ("PACKING LIST", "提单")."""
    found: set[DocumentType] = set()
    for line in _title_lines(text):
        # A title stands nearly alone on its line; a sentence mentioning a paper does not.
        if len(re.sub(r"\s", "", line.text)) > 60:
            continue
        for kind, pattern in _TITLES.items():
            if pattern.search(line.text):
                found.add(kind)
    return found


def _scores(text: DocumentText) -> dict[DocumentType, float]:
    body = text.text
    titles = titled(text)
    invoice = _score(body, _INVOICE)
    trade = _score(body, _TRADE)
    scores = {
        DocumentType.RECEIPT: _score(body, _RECEIPT) + _narrowness(text),
        DocumentType.INVOICE: invoice,
    }
    credit = _score(body, _CREDIT_BODY)
    if DocumentType.CREDIT_NOTE in titles:
        credit += _TITLE_WEIGHT
    if credit:
        scores[DocumentType.CREDIT_NOTE] = invoice + credit
    # A commercial invoice with HS codes / origin is trade paperwork, not a plain invoice; the
    # "invoice" words it carries should not pull it to the invoice type.
    if trade >= 6.0 and any(_PLAIN_INVOICE_TITLE.match(ln.text) for ln in _title_lines(text)):
        titles.add(DocumentType.COMMERCIAL_INVOICE)
    trade_titled = bool(titles & set(_TRADE_TYPES)) and trade >= 2.0
    shared = trade + (0.5 * invoice if trade >= 6.0 or trade_titled else 0.0)
    for kind in _TRADE_TYPES:
        specific = _score(body, _SPECIFIC[kind])
        if kind in titles:
            # "Commercial invoice" is also what e-invoicing calls a plain invoice (UNTDID 380):
            # without any trade vocabulary the title alone does not make trade paperwork.
            specific += _TITLE_WEIGHT if trade >= 2.0 else 1.0
        scores[kind] = shared + specific if trade or specific else 0.0
    return scores


def leaning(text: DocumentText) -> DocumentType:
    """The type with the most evidence, however little: which parser suits an ``unknown``
    document best. Invoice when there is no evidence at all (its labelled rules are the most
    cautious)."""
    scores = _scores(text)
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > scores[DocumentType.INVOICE] else DocumentType.INVOICE


def _family(kind: DocumentType) -> str:
    if kind.is_trade:
        return "trade"
    return "invoice" if kind.is_invoice_like else kind.value


def detect_document_type(text: DocumentText) -> tuple[DocumentType, float]:
    """The most likely document type and a 0..1 confidence; ``unknown`` when nothing convinces."""
    if len(text.text.strip()) < 20:
        return DocumentType.UNKNOWN, 0.0
    scores = _scores(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (runner, second) = ranked[0], ranked[1]
    if top < _MIN_SCORE:
        return DocumentType.UNKNOWN, round(min(0.4, top / 10), 3)
    margin = (top - second) / top
    # Two trade papers (or invoice and credit note) share most of their evidence: the lead is
    # measured on what tells them apart, so a small lead there still needs to be a clear one.
    if _family(best) == _family(runner):
        needed = 2.0
        if top - second < needed:
            return DocumentType.UNKNOWN, 0.3
        margin = max(margin, min(1.0, (top - second) / 8.0))
    elif margin < 0.15:
        return DocumentType.UNKNOWN, 0.3
    # Confidence grows with the evidence and with the lead over the runner-up.
    strength = min(1.0, top / 10.0)
    return best, round(min(0.98, 0.45 + 0.3 * strength + 0.25 * margin), 3)
