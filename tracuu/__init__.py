"""tracuu — a local, offline Vietnamese question-answering assistant over government plans."""

__version__ = "0.1.0"
