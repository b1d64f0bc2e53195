"""Turning a file into text and fields. No database or web imports here."""
