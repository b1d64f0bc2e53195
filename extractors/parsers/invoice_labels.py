"""Label vocabulary for invoices (English, German, French): which printed words name which field.

Patterns only; where the value sits relative to its label is decided in ``invoice``.
"""

from __future__ import annotations

import re


def _rx(p: str) -> re.Pattern[str]:
    return re.compile(p, re.IGNORECASE)


# ---- document number -----------------------------------------------------------------------
# (pattern, rule confidence, kind). The kind tells competing numbers apart: an invoice number
# beats a contract or order number printed on the same page.
NUMBER_LABELS: tuple[tuple[re.Pattern[str], float, str], ...] = (
    (_rx(r"\b(?:invoice|inv|bill)\.?\s*(?:no|number|num|nr|#|n°|nº)\.?\s*[:.]?"), 0.92, "invoice"),
    (_rx(r"\brechnungs?-?\s*(?:nummer|nr)\.?\s*[:.]?"), 0.92, "invoice"),
    (
        _rx(
            r"\b(?:facture|avoir)\s*(?:n°|nº|no|num[ée]ro|#)\.?\s*[:.]?"
            r"|\b(?:n°|nº|num[ée]ro)\s*(?:de\s*)?(?:la\s*)?(?:facture|l'avoir|avoir)\s*[:.]?"
        ),
        0.92,
        "invoice",
    ),
    # "Handelsrechnung (380) Nr. 471102", "Gutschrift Nr. 12", "Credit note no. 7"
    (
        _rx(
            r"\b(?:\w*rechnung\w*|gutschrift|invoice|credit\s*note|debit\s*note|facture|factura)"
            r"\b[^:\n]{0,45}?\s(?:nr|no|nummer|number|n°|#)\.?\s*[:.]?"
        ),
        0.9,
        "invoice",
    ),
    (_rx(r"\b(?:invoice|rechnung|facture)\s*[:#]?\s*(?=[A-Z]{0,4}[-/]?\d)"), 0.85, "invoice"),
    (_rx(r"\b(?:document|doc|beleg)\.?\s*-?\s*(?:no|number|nr|nummer|#)\.?\s*[:.]?"), 0.75, "doc"),
    # Contracts and orders identify the bill when no invoice number is printed.
    (
        _rx(
            r"\bcontract\s*(?:no|number|#|nr)?\.?\s*(?:/\s*rev(?:ision)?\.?\s*)?[:.]?"
            r"(?!\s*(?:dates?|line|agreement|type|period|\$|total|amount))"
        ),
        0.85,
        "contract",
    ),
    (
        _rx(
            r"(?<!alt\s)(?<!agency\s)(?<!purchase\s)(?<!co-op/)\border\s*(?:no|number|#|nr)?\.?"
            r"\s*(?:/\s*rev(?:ision)?\.?\s*)?[:.]?(?!\s*(?:type|date|dates|level|total))"
        ),
        0.7,
        "order",
    ),
)

# ---- dates ---------------------------------------------------------------------------------
ISSUE_DATE_LABEL = _rx(
    r"\b(?:invoice|inv|bill|rechnungs?|belegs?)\.?\s*-?\s*(?:date|datum)\b|\bdate\s*of\s*issue\b"
    r"|\bissue\s*date\b|\bausstellungsdatum\b|\bdated\b|\bvom\b"
    r"|\bdate\s*(?:de\s*(?:la\s*)?)?(?:facture|facturation|l'avoir|d'[ée]mission)\b|\bfactur[ée]e?\s*le\b"
)
ANY_DATE_LABEL = _rx(r"\bdate\b|\bdatum\b")
NOT_ISSUE_DATE = _rx(
    r"\bdue\b|f[äa]llig|zahlbar|\bbis\b|liefer|leistung|delivery|ship|print|gen\.|order"
    r"|bestell|period|zeitraum|skonto|übergabe|rückgabe|valid|expir|birth|start|end|entered"
    r"|modified|changes|[ée]ch[ée]ance|livraison|commande|received|revision"
)
DUE_DATE_LABEL = _rx(
    r"\bdue\s*(?:date|on|by)?\b|\bpayment\s*due\b|\bpay\s*by\b|f[äa]llig(?:keit|keitsdatum)?"
    r"|zahlbar\b.*?\bbis\b|\bzahlungsziel\b|[ée]ch[ée]ance|\bpayable\s*(?:le|avant|by)\b"
)
# Service period / Leistungszeitraum / flight dates of an ad buy. Weight: a more specific label
# (the ordered flight) beats the billing period that contains it.
PERIOD_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (_rx(r"\bflight\s*(?:dates?)?\s*:?"), 0.9),
    (
        _rx(
            r"\b(?:leistungs|abrechnungs|liefer)zeitraum\s*:?|\bservice\s*period\s*:?"
            r"|\bp[ée]riode\s*(?:de\s*(?:prestation|facturation|service))?\s*:?"
            r"|\b(?:contract|schedule|start\s*/\s*end)\s*dates?\s*:?|\bbilling\s*period\s*:?"
        ),
        0.85,
    ),
    (_rx(r"(?<!invoice\s)(?<!time\s)\bperiod\s*:?"), 0.75),
    (_rx(r"\b(?:invoice|time)\s*period\s*:?"), 0.65),
)

# ---- amounts -------------------------------------------------------------------------------
TOTAL_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        _rx(
            r"\b(?:grand\s*total|invoice\s*total|total\s*invoice|gross\s*total|total\s*gross"
            r"|total\s*(?:amount\s*)?(?:incl|inc)\.?\s*(?:vat|tax|gst|ust|mwst)?"
            r"|bruttosumme|brutto-?\s*betrag|gesamtbetrag(?!\s*der)|rechnungsbetrag|endbetrag"
            r"|gesamtsumme|rechnungssumme\s*(?:inkl|mit)|total\s*amount|total\s*ttc"
            r"|montant\s*(?:total\s*)?ttc|total\s*\$)"
        ),
        0.92,
    ),
    (_rx(r"\btotals?\b|\bsumme\b"), 0.8),
    (_rx(r"\b(?:amount|balance|total)\s*due\b|\bzahlbetrag\b|\bamount\s*payable\b"), 0.78),
)
NOT_TOTAL = _rx(
    r"sub\s*-?\s*total|zwischensumme|\bnet(?:to)?\b|netto|ohne\s*ust|\bexcl|positionssumme"
    r"|total\s*(?:tax|vat|gst|ust|spots?|qty|quantity|items?|hours|units|weight|ht|tva|cpp|grp)"
    r"|(?:tax|vat|steuer)\s*(?:total|summe|betrag)|der\s*(?:zuschl|abschl)|anzahlung"
    # A change log ("Total $ from $11,410.00 to $15,110.00") is not the total.
    r"|\bfrom\b"
)
NET_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        _rx(
            r"\b(?:rechnungssumme\s*ohne\s*(?:ust|mwst)|nettobetrag|nettosumme|summe\s*netto"
            r"|netto\s*gesamt|gesamt\s*netto|total\s*(?:h\.?t\.?|hors\s*taxes?)|montant\s*h\.?t\.?"
            r"|net\s*amount|total\s*(?:excl|before)\.?\s*(?:vat|tax|gst)?|amount\s*excl\.?"
            r"\s*(?:vat|tax)?|total\s*net|net\s*total)\b\.?"
        ),
        0.88,
    ),
    (_rx(r"\b(?:sub\s*-?\s*total|zwischensumme|positionssumme|warenwert)\b"), 0.72),
)
NOT_NET = _rx(r"commission|rabatt|discount|brutto|gross|incl|inkl|ttc")
TAX_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        _rx(
            r"\b(?:steuerbetrag|umsatzsteuerbetrag|mwst\.?-?\s*betrag|ust\.?-?\s*betrag"
            r"|total\s*(?:tax|vat|gst|sales\s*tax|tva)|(?:tax|vat|gst)\s*(?:amount|total)"
            r"|summe\s*(?:ust|mwst|umsatzsteuer)|sales\s*tax|montant\s*(?:de\s*la\s*)?tva)\b"
        ),
        0.88,
    ),
    (_rx(r"\b(?:vat|tax|gst|sst|mwst|ust|umsatzsteuer|mehrwertsteuer|tva)\b"), 0.6),
)
NOT_TAX = _rx(
    r"\b(?:id|nr|no|number|reg|registration|steuernummer|identifikation|intracommunautaire)\b"
    r"|incl|inkl|excl|ohne|\bnet\b|netto|gross|brutto|\bht\b|ttc|n°"
)
DUE_AMOUNT_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        _rx(
            r"\b(?:zahlbetrag|amount\s*due|balance\s*due|total\s*due|amount\s*payable"
            r"|net\s*[àa]\s*payer|reste\s*[àa]\s*payer|montant\s*d[ûu]|offener\s*betrag"
            r"|zu\s*zahlen(?:der\s*betrag)?|restbetrag|please\s*pay)\b"
        ),
        0.88,
    ),
)
NOT_DUE_AMOUNT = _rx(r"\bdate\b|datum|\bdays?\b|tage")

# ---- parties and references ----------------------------------------------------------------
SELLER_HEADING = _rx(
    r"^\W*(?:verk[äa]ufer|seller|supplier|vendor|lieferant|rechnungssteller|leistungserbringer"
    r"|from|remit\s*to|pay\s*to|fournisseur|vendeur|[ée]metteur)\b\s*:?"
)
BUYER_HEADING = _rx(
    r"(?:^\W*|\s)(?:bill\s*to|billed\s*to|sold\s*to|invoice\s*to|advertiser(?:\s*name)?"
    r"|factur[ée]\s*[àa]|adress[ée]\s*[àa])\b\s*:?"
    # A text layer may glue the heading to the previous column's word: "KECI+KCFWAdvertiser".
    r"|(?-i:(?<=[A-Z0-9+)])Advertiser)\b\s*:?"
    r"|^\W*(?:k[äa]ufer|buyer|customer|client|kunde|rechnungsempf[äa]nger|acheteur|destinataire"
    r"|leistungsempf[äa]nger)\b(?:\s*/\s*\w+)?\s*:?"
)
PO_LABEL = _rx(
    r"\b(?:purchase\s*order|p\.?\s*o\b\.?)\s*(?:no|number|nr|#|n°)?\.?\s*[:.]?(?!\s*box)"
    r"|\bbestell(?:ung|nummer|-?\s*nr)\.?\s*(?:nr\.?)?\s*:?|\bauftragsnummer\s*:?"
    r"|\bbon\s*de\s*commande\s*(?:n°|no)?\s*:?|\b(?:n°|num[ée]ro)\s*de\s*commande\s*:?"
    r"|\bihre\s*bestellung\s*:?|\byour\s*order\s*(?:no|#)?\.?\s*:?"
)
IBAN_LABEL = _rx(r"\biban\b")
