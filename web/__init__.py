"""The web page and REST API (FastAPI); rules stay in ``docintake.review`` and ``accounts``."""
