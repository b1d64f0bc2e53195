from docintake.domain import DocumentText, FieldValue


def parse_customs(text: DocumentText) -> dict[str, FieldValue]:
    return {}
