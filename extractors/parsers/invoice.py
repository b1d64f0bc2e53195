from docintake.domain import DocumentText, FieldValue


def parse_invoice(text: DocumentText) -> dict[str, FieldValue]:
    return {}
