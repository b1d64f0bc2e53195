"""Proof-reading: rules that check a document's fields against each other and against the
check digits printed in them, explain what they found, and adjust the fields' confidence.

What raises a confidence, and why:
- A passing *arithmetic* check that ties independently read fields together (net + tax =
  total, line items add up to the net amount, line weights add up to the gross weight) raises
  each field it involves to at least ``CONFIRMED`` (0.9, never 1): three misread numbers that
  still add up are very unlikely, and the sum also confirms each number is the right one (a
  wrong figure picked from the page would not add up either).
- A passing *checksum* (IBAN mod 97, ISO 6346 container check digit, VAT check digits) shows the
  characters were read right, but not that the value is the right one (a valid VAT id may be
  the customer's): it removes the OCR doubt only, up to the parser's rule confidence
  (``FieldValue.rule``), as a second OCR engine agreeing does.

What lowers it, and why:
- A failing arithmetic or order check (sum, gross < net, due before issue) caps the fields it
  involves at ``DOUBTED`` (0.6, below the 0.80 auto-accept threshold), so a person looks. When
  another check has confirmed some of them (net + tax = total holds, so the line items are the
  ones that do not add up), only the others are lowered; when it is unclear which is wrong,
  all are.
- A failing checksum (IBAN, container number, VAT check digit) caps that value at
  ``REJECTED`` (0.3): a wrong check digit means a character was misread.
- A value in an impossible format (HS code, currency, packages, a date far off) is capped at
  ``DOUBTED``.
A lowered field's ``rule`` confidence is lowered too, so that later evidence (a second OCR
reading) cannot lift it back over the doubt. A rule that cannot be applied (a field is missing)
gives ``passed=None`` and changes nothing; a rule that does not concern a document type (a
container check on a receipt) is not run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from stdnum import get_cc_module, iban, iso6346
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.us import ein

from docintake.domain import (
    Check,
    DocumentType,
    Extraction,
    FieldValue,
    parse_decimal,
)

CONFIRMED = 0.9  # at least this after a passing arithmetic check
DOUBTED = 0.6  # at most this after a failing check: below the auto-accept threshold (0.80)
REJECTED = 0.3  # at most this after a failing checksum
_BELOW_ONE = 0.99  # proof-reading alone never makes a value certain

CENT = Decimal("0.01")
# Weights are printed rounded (to the kilo, or 0.1 kg per line): half a percent of slack.
WEIGHT_TOLERANCE = Decimal("0.005")
# A document dated further away than this from today is most likely a misread year.
FAR_PAST = timedelta(days=20 * 365)
FAR_FUTURE = timedelta(days=366)


@dataclass(frozen=True)
class Proofread:
    fields: Mapping[str, FieldValue]  # confidences adjusted by the checks
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class Finding:
    """A check and what it does to confidence."""

    check: Check
    # Passing arithmetic: these fields to at least CONFIRMED.
    confirms: tuple[str, ...] = ()
    # Passing checksum: the OCR doubt about these fields is removed (up to their rule).
    verifies: tuple[str, ...] = ()
    # Failing: these fields at most ``cap``.
    doubts: tuple[str, ...] = ()
    cap: float = DOUBTED
    # Failing, but which field is wrong is unclear: fields confirmed by another check are
    # spared, the rest lowered (all, when none is confirmed).
    spare_confirmed: bool = False


def _skip(rule: str, message: str, fields: Sequence[str] = ()) -> Finding:
    return Finding(Check(rule, None, message, tuple(fields)))


def _text(fields: Mapping[str, FieldValue], name: str) -> str | None:
    fv = fields.get(name)
    if fv is None or not isinstance(fv.value, str) or not fv.value.strip():
        return None
    return fv.value.strip()


def _amount(fields: Mapping[str, FieldValue], name: str) -> Decimal | None:
    text = _text(fields, name)
    return parse_decimal(text) if text is not None else None


def _rows(fields: Mapping[str, FieldValue]) -> tuple[Mapping[str, str], ...]:
    fv = fields.get("line_items")
    if fv is None or not isinstance(fv.value, tuple):
        return ()
    return tuple(r for r in fv.value if isinstance(r, Mapping))


def _items(fields: Mapping[str, FieldValue], name: str) -> tuple[str, ...]:
    fv = fields.get(name)
    if fv is None:
        return ()
    if isinstance(fv.value, str):
        return (fv.value,) if fv.value.strip() else ()
    return tuple(v for v in fv.value if isinstance(v, str) and v.strip())


def _label(name: str) -> str:
    return name.replace("_", " ").removesuffix(" kg")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# --- arithmetic -------------------------------------------------------------------------


def line_items_sum(fields: Mapping[str, FieldValue], doc_type: DocumentType) -> Finding:
    """Line amounts add up to the net amount (or the total when no net or tax is printed)."""
    rule = "line_items_sum"
    rows = _rows(fields)
    if not rows:
        return _skip(rule, "No line items were read, so their sum cannot be checked.")
    amounts: list[Decimal] = []
    for number, row in enumerate(rows, 1):
        value = parse_decimal(row.get("amount")) if row.get("amount") else None
        if value is not None:
            amounts.append(value)
        elif row.get("quantity") or row.get("unit_price"):
            return _skip(rule, f"Line {number} has no amount, so the lines cannot be added up.")
        # A row with a description only continues the line above it.
    if not amounts:
        return _skip(rule, "The line items have no amounts to add up.")
    total_of_lines = sum(amounts, Decimal(0))
    net, tax, total = (_amount(fields, n) for n in ("net_amount", "tax_amount", "total_amount"))
    # What the lines may add up to, in order of preference: prices net of tax, or prices
    # including tax (common on consumer invoices that print only the tax contained).
    targets: list[tuple[str, Decimal, tuple[str, ...]]] = []
    if net is not None:
        targets.append(("the net amount", net, ("net_amount",)))
    elif tax is not None and total is not None:
        targets.append(("the total less tax", total - tax, ("total_amount", "tax_amount")))
    if total is not None:
        targets.append(("the total (prices include tax)", total, ("total_amount",)))
    if not targets:
        return _skip(rule, "Neither a net amount nor a total was read to compare the lines with.")
    credit = doc_type is DocumentType.CREDIT_NOTE
    tolerance = CENT * len(amounts)
    lines = f"The {len(amounts)} line items add" if len(amounts) > 1 else "The one line item adds"
    for what, target, names in targets:
        if _equal(total_of_lines, target, tolerance, by_size=credit):
            return Finding(
                Check(
                    rule,
                    True,
                    f"{lines} up to {_money(total_of_lines)}, {what}.",
                    ("line_items", *names),
                ),
                confirms=("line_items", *names),
            )
    what, target, names = targets[0]
    return Finding(
        Check(
            rule,
            False,
            f"{lines} up to {_money(total_of_lines)}, but {what} is {_money(target)} "
            f"(a difference of {_money(abs(abs(total_of_lines) - abs(target)))}): a line or "
            "the amount is misread, a line is missing, or a discount or charge applies to the "
            "whole invoice.",
            ("line_items", *names),
        ),
        doubts=("line_items", *names),
        spare_confirmed=True,
    )


def _equal(a: Decimal, b: Decimal, tolerance: Decimal, *, by_size: bool) -> bool:
    # Credit notes print their figures negative or positive (the title says "credit"), not
    # always consistently: compare them by size.
    if by_size:
        a, b = abs(a), abs(b)
    return abs(a - b) <= tolerance


def net_plus_tax(fields: Mapping[str, FieldValue], doc_type: DocumentType) -> Finding:
    """Net amount + tax = total, to the cent."""
    rule = "net_plus_tax"
    names = ("net_amount", "tax_amount", "total_amount")
    net, tax, total = (_amount(fields, n) for n in names)
    if net is None or tax is None or total is None:
        missing = [_label(n) for n, v in zip(names, (net, tax, total), strict=True) if v is None]
        return _skip(rule, f"Not checked: no {' or '.join(missing)} was read.", names)
    credit = doc_type is DocumentType.CREDIT_NOTE
    if tax == 0 and not _equal(net, total, CENT, by_size=credit):
        # Without tax the rule says only "net = total", and what usually sits between the two
        # is not a misreading but a deduction the rule does not know: an agency commission
        # ("Gross 1640.00, commission -246.00, NET TOTAL 1394.00"), a discount, a deposit.
        return _skip(
            rule,
            f"Net {_money(net)} and total {_money(total)} differ with no tax between them: "
            "a commission or discount may lie between them, so this is not checked.",
            names,
        )
    computed = abs(net) + abs(tax) if credit else net + tax
    if _equal(computed, total, CENT, by_size=credit):
        if tax == 0:
            # Net equals total: possibly one printed figure read twice, so no evidence.
            return Finding(
                Check(rule, True, f"No tax: net amount and total are both {_money(total)}.", names)
            )
        return Finding(
            Check(
                rule,
                True,
                f"Net {_money(net)} + tax {_money(tax)} = total {_money(total)}.",
                names,
            ),
            confirms=names,
        )
    return Finding(
        Check(
            rule,
            False,
            f"Net {_money(net)} + tax {_money(tax)} = {_money(computed)}, but the total reads "
            f"{_money(total)}: one of the three is misread.",
            names,
        ),
        doubts=names,
        spare_confirmed=True,
    )


def amount_due_within_total(fields: Mapping[str, FieldValue], doc_type: DocumentType) -> Finding:
    """The amount due is at most the total (less after a prepayment or deposit)."""
    rule = "amount_due"
    names = ("amount_due", "total_amount")
    due, total = _amount(fields, "amount_due"), _amount(fields, "total_amount")
    if due is None or total is None:
        return _skip(rule, "Not checked: the amount due or the total was not read.", names)
    if doc_type is DocumentType.CREDIT_NOTE:
        due, total = abs(due), abs(total)
    if due <= total + CENT:
        paid = total - due
        note = f", {_money(paid)} already paid" if paid > CENT else ""
        return Finding(
            Check(rule, True, f"Amount due {_money(due)} is within the total{note}.", names)
        )
    return Finding(
        Check(
            rule,
            False,
            f"Amount due {_money(due)} is more than the total {_money(total)}: one of them "
            "is misread (or an earlier balance is carried forward).",
            names,
        ),
        doubts=names,
        spare_confirmed=True,
    )


def _column_sum(
    rule: str, column: str, field: str
) -> Callable[[Mapping[str, FieldValue]], Finding]:
    """Per-line packages or weights add up to the document's figure (packing lists)."""

    def rule_fn(fields: Mapping[str, FieldValue]) -> Finding:
        stated = _amount(fields, field)
        rows = _rows(fields)
        values = [parse_decimal(r.get(column)) if r.get(column) else None for r in rows]
        if stated is None or not values or any(v is None for v in values):
            return _skip(rule, f"Not checked: {_label(field)} per line and in total not read.")
        added = sum((v for v in values if v is not None), Decimal(0))
        if column == "packages":
            tolerance = Decimal(0)
        else:
            tolerance = max(CENT * len(values), stated * WEIGHT_TOLERANCE)
        names = ("line_items", field)
        if abs(added - stated) <= tolerance:
            return Finding(
                Check(rule, True, f"The lines' {_label(column)} add up to {stated}.", names),
                # The column adds up: that confirms the document's figure, not every other
                # column of the table.
                confirms=(field,) if len(values) > 1 else (),
            )
        return Finding(
            Check(
                rule,
                False,
                f"The lines' {_label(column)} add up to {_plain(added)}, but the document "
                f"says {_plain(stated)}.",
                names,
            ),
            doubts=names,
            spare_confirmed=True,
        )

    rule_fn.__name__ = rule
    return rule_fn


line_packages_sum = _column_sum("line_packages_sum", "packages", "packages")
line_gross_weight_sum = _column_sum("line_gross_weight_sum", "gross_weight_kg", "gross_weight_kg")
line_net_weight_sum = _column_sum("line_net_weight_sum", "net_weight_kg", "net_weight_kg")


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- checksums and formats --------------------------------------------------------------


def iban_checksum(fields: Mapping[str, FieldValue]) -> Finding:
    rule = "iban_checksum"
    value = _text(fields, "iban")
    if value is None:
        return _skip(rule, "No IBAN was read.", ("iban",))
    try:
        iban.validate(value)
    except InvalidChecksum:
        return Finding(
            Check(
                rule,
                False,
                f"IBAN {value}: the check digits do not fit (a misread character, or a "
                "wrong IBAN).",
                ("iban",),
            ),
            doubts=("iban",),
            cap=REJECTED,
        )
    except ValidationError as e:
        return Finding(
            Check(rule, False, f"IBAN {value} is not a valid IBAN ({_reason(e)}).", ("iban",)),
            doubts=("iban",),
            cap=REJECTED,
        )
    return Finding(
        Check(rule, True, f"IBAN {value}: the check digits fit.", ("iban",)), verifies=("iban",)
    )


def _reason(error: ValidationError) -> str:
    return str(error).rstrip(".").lower()


_EIN = re.compile(r"\d{2}-\d{7}")


@dataclass(frozen=True)
class _TaxIdKind:
    name: str
    validate: Callable[[str], object]
    check_digits: bool  # an EIN has none: its format alone says little about the reading


def _tax_id_kind(value: str) -> _TaxIdKind | None:
    """Which number a tax id looks like, and the stdnum function that checks it."""
    if _EIN.fullmatch(value):
        return _TaxIdKind("US EIN", ein.validate, check_digits=False)
    compact = re.sub(r"[\s.\-/]", "", value).upper()
    cc = compact[:2].lower()
    if compact[:2].isalpha():
        if cc in eu_vat.MEMBER_STATES or cc == "el":
            return _TaxIdKind(f"{cc.upper()} VAT id", eu_vat.validate, check_digits=True)
        module = get_cc_module(cc, "vat")
        if module is not None:
            return _TaxIdKind(f"{cc.upper()} VAT id", module.validate, check_digits=True)
        return None
    if len(compact) == 18 and compact.isalnum():
        module = get_cc_module("cn", "uscc")
        if module is not None:
            name = "Chinese unified social credit code"
            return _TaxIdKind(name, module.validate, check_digits=True)
    return None


def vat_id(fields: Mapping[str, FieldValue]) -> Finding:
    """The vendor's tax id has its country's format and check digits."""
    rule = "vat_id"
    names = ("vendor_tax_id",)
    value = _text(fields, "vendor_tax_id")
    if value is None:
        return _skip(rule, "No tax id was read.", names)
    kind = _tax_id_kind(value)
    if kind is None:
        return _skip(rule, f"Tax id {value}: no format known to check it against.", names)
    try:
        kind.validate(value)
    except InvalidChecksum:
        return Finding(
            Check(rule, False, f"{kind.name} {value}: the check digit does not fit.", names),
            doubts=names,
            cap=REJECTED,
        )
    except ValidationError as e:
        return Finding(
            Check(rule, False, f"{kind.name} {value} is not well formed ({_reason(e)}).", names),
            doubts=names,
        )
    verifies = names if kind.check_digits else ()
    return Finding(
        Check(rule, True, f"{kind.name} {value} is well formed.", names), verifies=verifies
    )


_HS = re.compile(r"\d{6,10}")


def _hs_problem(code: str) -> str | None:
    if not _HS.fullmatch(code):
        return f"{code} is not 6 to 10 digits"
    chapter = int(code[:2])
    if not 1 <= chapter <= 97 or chapter == 77:
        return f"{code} is in chapter {code[:2]}, which does not exist (01-97, not 77)"
    return None


def hs_code_format(fields: Mapping[str, FieldValue]) -> Finding:
    rule = "hs_code_format"
    per_field = {"hs_codes": _items(fields, "hs_codes")}
    per_field["line_items"] = tuple(r["hs_code"] for r in _rows(fields) if r.get("hs_code"))
    codes = [c for cs in per_field.values() for c in cs]
    if not codes:
        return _skip(rule, "No HS codes were read.", ("hs_codes",))
    bad = {name: [p for c in cs if (p := _hs_problem(c))] for name, cs in per_field.items()}
    involved = tuple(name for name, cs in per_field.items() if cs)
    wrong = tuple(name for name, problems in bad.items() if problems)
    if not wrong:
        return Finding(Check(rule, True, "Every HS code has a valid format.", involved))
    problems = sorted({p for ps in bad.values() for p in ps})
    return Finding(
        Check(rule, False, "HS code " + "; ".join(problems) + ".", wrong),
        doubts=wrong,
    )


def container_check_digit(fields: Mapping[str, FieldValue]) -> Finding:
    """ISO 6346: the last digit of a container number is a check digit over the others."""
    rule = "container_check_digit"
    names = ("container_numbers",)
    numbers = _items(fields, "container_numbers")
    if not numbers:
        return _skip(rule, "No container numbers were read.", names)
    problems: list[str] = []
    for number in numbers:
        try:
            iso6346.validate(number)
        except InvalidChecksum:
            expected = iso6346.calc_check_digit(iso6346.compact(number)[:10])
            problems.append(f"{number} should end in {expected}")
        except ValidationError as e:
            problems.append(f"{number} is not a container number ({_reason(e)})")
    if problems:
        return Finding(
            Check(rule, False, "Container check digit: " + "; ".join(problems) + ".", names),
            doubts=names,
            cap=REJECTED,
        )
    return Finding(
        Check(rule, True, f"Container check digits fit ({', '.join(numbers)}).", names),
        verifies=names,
    )


def gross_at_least_net(fields: Mapping[str, FieldValue]) -> Finding:
    rule = "gross_vs_net_weight"
    names = ("gross_weight_kg", "net_weight_kg")
    gross, net = _amount(fields, "gross_weight_kg"), _amount(fields, "net_weight_kg")
    if gross is None or net is None:
        return _skip(rule, "Not checked: gross or net weight not read.", names)
    if gross >= net > 0:
        return Finding(Check(rule, True, f"Gross weight {gross} kg ≥ net {net} kg.", names))
    if net <= 0:
        message = f"Net weight {net} kg is not a weight."
        return Finding(Check(rule, False, message, names), doubts=("net_weight_kg",))
    return Finding(
        Check(
            rule,
            False,
            f"Gross weight {gross} kg is less than the net weight {net} kg: one is misread "
            "(or the two are swapped).",
            names,
        ),
        doubts=names,
        spare_confirmed=True,
    )


def packages_count(fields: Mapping[str, FieldValue]) -> Finding:
    rule = "packages_integer"
    names = ("packages",)
    value = _text(fields, "packages")
    if value is None:
        return _skip(rule, "No number of packages was read.", names)
    if value.isdigit() and int(value) > 0:
        return Finding(Check(rule, True, f"{value} packages.", names))
    return Finding(
        Check(rule, False, f"Packages {value!r} is not a whole number above zero.", names),
        doubts=names,
    )


def currency_code(fields: Mapping[str, FieldValue]) -> Finding:
    rule = "currency_code"
    names = ("currency",)
    value = _text(fields, "currency")
    if value is None:
        return _skip(rule, "No currency was read.", names)
    known = _iso4217()
    if known is None:
        return _skip(rule, "The ISO 4217 list (pycountry) is not installed.", names)
    if value in known:
        return Finding(Check(rule, True, f"{value} is an ISO 4217 currency.", names))
    return Finding(
        Check(rule, False, f"{value!r} is not an ISO 4217 currency code.", names), doubts=names
    )


def _iso4217() -> frozenset[str] | None:
    try:
        import pycountry
    except ImportError:
        return None
    return frozenset(c.alpha_3 for c in pycountry.currencies)


# --- dates ------------------------------------------------------------------------------


def _date(fields: Mapping[str, FieldValue], name: str) -> date | None | str:
    """The date, None when not read, or "bad" when the text is not an ISO date."""
    text = _text(fields, name)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return "bad"


def _ordered(rule: str, first: str, second: str, fields: Mapping[str, FieldValue]) -> Finding:
    a, b = _date(fields, first), _date(fields, second)
    names = (first, second)
    bad = tuple(n for n, d in zip(names, (a, b), strict=True) if d == "bad")
    if bad:
        return Finding(
            Check(rule, False, f"{' and '.join(map(_label, bad))}: not a date.", bad), doubts=bad
        )
    if not isinstance(a, date) or not isinstance(b, date):
        return _skip(rule, f"Not checked: {_label(first)} or {_label(second)} not read.", names)
    if a <= b:
        return Finding(Check(rule, True, f"{_label(first)} {a} ≤ {_label(second)} {b}.", names))
    return Finding(
        Check(
            rule,
            False,
            f"The {_label(second)} {b} is before the {_label(first)} {a}: one of them is misread.",
            names,
        ),
        doubts=names,
        spare_confirmed=True,
    )


def due_after_issue(fields: Mapping[str, FieldValue]) -> Finding:
    return _ordered("due_after_issue", "document_date", "due_date", fields)


def period_order(fields: Mapping[str, FieldValue]) -> Finding:
    return _ordered("period_order", "period_start", "period_end", fields)


def document_date_plausible(fields: Mapping[str, FieldValue], today: date) -> Finding:
    rule = "document_date_plausible"
    names = ("document_date",)
    value = _date(fields, "document_date")
    if value is None:
        return _skip(rule, "No document date was read.", names)
    if value == "bad":
        return Finding(Check(rule, False, "The document date is not a date.", names), doubts=names)
    assert isinstance(value, date)
    if value > today + FAR_FUTURE:
        message = f"The document date {value} is more than a year after today: a misread year?"
    elif value < today - FAR_PAST:
        message = f"The document date {value} is more than 20 years ago: a misread year?"
    else:
        return Finding(Check(rule, True, f"The document date {value} is plausible.", names))
    return Finding(Check(rule, False, message, names), doubts=names)


# --- the rule list ----------------------------------------------------------------------

_PAYABLE = frozenset(
    {DocumentType.INVOICE, DocumentType.CREDIT_NOTE, DocumentType.COMMERCIAL_INVOICE}
)
_TRADE = frozenset(t for t in DocumentType if t.is_trade)
_ALL = frozenset(DocumentType)


@dataclass(frozen=True)
class Rule:
    name: str
    applies_to: frozenset[DocumentType]
    run: Callable[[Mapping[str, FieldValue], DocumentType, date], Finding]


def _fields_only(fn: Callable[[Mapping[str, FieldValue]], Finding]) -> Callable[..., Finding]:
    return lambda fields, _doc_type, _today: fn(fields)


RULES: tuple[Rule, ...] = (
    Rule("line_items_sum", _PAYABLE, lambda f, t, _: line_items_sum(f, t)),
    Rule("net_plus_tax", _PAYABLE | {DocumentType.RECEIPT}, lambda f, t, _: net_plus_tax(f, t)),
    Rule(
        "amount_due",
        frozenset({DocumentType.INVOICE, DocumentType.CREDIT_NOTE}),
        lambda f, t, _: amount_due_within_total(f, t),
    ),
    Rule("iban_checksum", _PAYABLE, _fields_only(iban_checksum)),
    Rule("vat_id", _PAYABLE, _fields_only(vat_id)),
    Rule("due_after_issue", _PAYABLE, _fields_only(due_after_issue)),
    Rule(
        "period_order",
        frozenset({DocumentType.INVOICE, DocumentType.CREDIT_NOTE}),
        _fields_only(period_order),
    ),
    Rule("hs_code_format", _TRADE - {DocumentType.BILL_OF_LADING}, _fields_only(hs_code_format)),
    Rule("container_check_digit", _TRADE, _fields_only(container_check_digit)),
    Rule("gross_vs_net_weight", _TRADE, _fields_only(gross_at_least_net)),
    Rule("packages_integer", _TRADE, _fields_only(packages_count)),
    Rule("line_packages_sum", _TRADE, _fields_only(line_packages_sum)),
    Rule("line_gross_weight_sum", _TRADE, _fields_only(line_gross_weight_sum)),
    Rule("line_net_weight_sum", _TRADE, _fields_only(line_net_weight_sum)),
    Rule("currency_code", _ALL, _fields_only(currency_code)),
    Rule(
        "document_date_plausible",
        _ALL,
        lambda f, _t, today: document_date_plausible(f, today),
    ),
)


def proofread(
    fields: Mapping[str, FieldValue],
    document_type: DocumentType,
    today: date | None = None,
    rules: Iterable[Rule] = RULES,
) -> Proofread:
    """Run the rules that concern ``document_type``; return adjusted fields and the checks."""
    today = today or date.today()
    findings = [r.run(fields, document_type, today) for r in rules if document_type in r.applies_to]
    return Proofread(fields=adjust(fields, findings), checks=tuple(f.check for f in findings))


def proofread_extraction(extraction: Extraction, today: date | None = None) -> Extraction:
    """The extraction with proof-read confidences and its checks appended."""
    result = proofread(extraction.fields, extraction.document_type, today)
    return replace(extraction, fields=result.fields, checks=extraction.checks + result.checks)


def adjust(fields: Mapping[str, FieldValue], findings: Sequence[Finding]) -> dict[str, FieldValue]:
    """Apply the findings' effects: doubts win over confirmations of the same field."""
    confirmed = {n for f in findings for n in f.confirms}
    caps: dict[str, float] = {}
    for f in findings:
        targets = f.doubts
        if f.spare_confirmed:
            targets = tuple(n for n in f.doubts if n not in confirmed) or f.doubts
        for name in targets:
            caps[name] = min(caps.get(name, 1.0), f.cap)
    verified = {n for f in findings for n in f.verifies}
    out = dict(fields)
    for name, fv in fields.items():
        confidence, rule = fv.confidence, fv.rule
        if name in caps:
            confidence = min(confidence, caps[name])
            rule = None if rule is None else min(rule, caps[name])
        else:
            if name in verified and rule is not None:
                confidence = max(confidence, min(rule, _BELOW_ONE))
            if name in confirmed:
                confidence = max(confidence, CONFIRMED)
        if (confidence, rule) != (fv.confidence, fv.rule):
            out[name] = FieldValue(fv.value, round(confidence, 3), rule=rule)
    return out
