#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/text_unicode.json: scikit-learn's default TfidfVectorizer analyzer and
TF-IDF matrix on a small multilingual corpus, for kolosal's Unicode tokeniser parity tests.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/text_unicode_reference.py
"""

import json
import pathlib

from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "text_unicode.json"

corpus = [
    "Café NAÏVE crème brûlée, déjà vu: ÉCOLE Ætna Øresund straße",
    "Łódź ŒUVRE Ŋan ĲSSEL Ċity Ħal-Far ŹRÓDŁO ſtar",
    "ΟΔΟΣ ΣΟΦΟΣ Καλημέρα κόσμε Ἀθῆναι ΣΊΣΥΦΟΣ",
    "Привет МИР Ёлка ЖУРНАЛ Їжак ЎЗБЕК Ђаво",
    "日本語 テキスト 中文 한국어 é a b_ x 42 ٣٤٥ ½ ²³",
    "nai\u0308ve नमस्ते İstanbul ÇAĞRI Ոսկե ႠႡ ꙀꙂ",
    "café Café CAFÉ мир Мир ΚΌΣΜΕ κόσμε straße STRASSE",
    "x_y_z __ 3.14 emoji 😀😀 tab\tseparated new\nline",
]

analyzer = TfidfVectorizer().build_analyzer()
vectorizer = TfidfVectorizer(ngram_range=(1, 2))
matrix = vectorizer.fit_transform(corpus).toarray()
cased = TfidfVectorizer(lowercase=False).build_analyzer()

OUTPUT.write_text(json.dumps({
    "corpus": corpus,
    "tokens": [analyzer(doc) for doc in corpus],
    "tokens_cased": [cased(doc) for doc in corpus],
    "names": vectorizer.get_feature_names_out().tolist(),
    "tfidf_1_2": matrix.tolist(),
}, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
