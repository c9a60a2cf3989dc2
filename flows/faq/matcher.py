"""Word-overlap scoring of FAQ entries the way farmers type: folded, abbreviated, misspelt, reworded
(one half of the retrieval, flows/faq/retrieval.py).

Text is folded (flows.engine.text), abbreviations are expanded, misspelt words are corrected to the
nearest word of the knowledge base (rapidfuzz, counting a swap of two letters as one edit), synonym phrases are replaced by one canonical
phrase (content/faq/synonyms.yaml). An entry's score mixes an idf-weighted overlap of words and
word pairs with the best rapidfuzz similarity to one of its question variants.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from scipy.sparse import csr_matrix

from flows.engine.text import fold, words
from flows.faq.knowledge import Entry

RECALL_WEIGHT = 0.45  # share of the query's words found in the entry (questions and source)
PRECISION_WEIGHT = 0.2  # share of the closest question variant's words found in the query
SIMILARITY_WEIGHT = 0.35  # rapidfuzz similarity to the closest question variant
PAIR_WEIGHT = 0.5  # a word pair counts half a word: it rewards word order without drowning words
TYPO_CUTOFF = 0.75  # similarity (edits with swaps, 0..1) needed to correct an unknown word
TYPO_MIN_LENGTH = 4
CORRECTIONS_KEPT = 8192


@dataclass(frozen=True)
class Match:
    """The best entry for a text (None when nothing fits well), its score in 0..1, and up to two others."""

    entry: Entry | None
    score: float
    also: list[Entry] = field(default_factory=list)
    is_task: bool = False
    confident: bool = False  # the score is above retrieval.CONFIDENT_AT: a wrong entry is rare


class Normalizer:
    """Turns text into canonical folded tokens: abbreviations, typos and synonyms resolved."""

    def __init__(self, synonyms: dict[str, Any]) -> None:
        self.abbreviations = {fold(k): words(v) for k, v in (synonyms.get("abbreviations") or {}).items()}
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for group in synonyms.get("synonyms") or []:
            canonical = ("_".join(words(group[0])),)
            for phrase in group:
                self.phrases[tuple(words(phrase))] = canonical
        self.longest = max((len(p) for p in self.phrases), default=1)
        self.noise = frozenset(words(" ".join(synonyms.get("noise") or [])))
        self.stop = frozenset(words(" ".join(synonyms.get("stopwords") or [])))
        self.vocabulary: frozenset[str] = frozenset()
        self._by_initial: dict[str, list[str]] = {}
        self._corrections: dict[str, str] = {}

    def learn(self, texts: list[str]) -> None:
        """Set the vocabulary typos are corrected to: the words of these texts and of every synonym."""
        vocab = {w for text in texts for w in self._expand(words(text))}
        vocab |= {w for phrase in self.phrases for w in phrase}
        vocab |= {w for expansion in self.abbreviations.values() for w in expansion}
        self.vocabulary = frozenset(vocab)
        self._by_initial = {}
        for w in sorted(vocab):
            if len(w) >= TYPO_MIN_LENGTH and not w.isdigit():
                self._by_initial.setdefault(w[0], []).append(w)
        self._corrections.clear()

    def tokens(self, text: str) -> list[str]:
        """Canonical tokens of a text, noise words removed (stop words kept for word pairs)."""
        tokens = [self._correct(w) for w in self._expand(words(text))]
        return [w for w in self._synonyms(tokens) if w not in self.noise]

    def features(self, tokens: list[str]) -> set[str]:
        """Content words and adjacent word pairs (not two function words): what the overlap score counts."""
        unigrams = {w for w in tokens if w not in self.stop}
        pairs = {
            f"{a}+{b}"
            for a, b in zip(tokens, tokens[1:], strict=False)
            if a not in self.stop or b not in self.stop
        }
        return unigrams | pairs

    def content(self, tokens: list[str]) -> str:
        """The content words, sorted, as one string: rapidfuzz's ratio on it is a token-sort ratio."""
        return " ".join(sorted(w for w in tokens if w not in self.stop))

    def _expand(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        for w in tokens:
            out.extend(self.abbreviations.get(w, (w,)))
        return out

    def _correct(self, word: str) -> str:
        if word in self.vocabulary or len(word) < TYPO_MIN_LENGTH or word.isdigit():
            return word
        if word not in self._corrections:
            if len(self._corrections) >= CORRECTIONS_KEPT:
                self._corrections.clear()
                # Typos keep the first letter: "thah" -> "thanh", but "chao" never becomes "bao".
            choices = self._by_initial.get(word[0], [])
            best = process.extractOne(
                word, choices, scorer=OSA.normalized_similarity, score_cutoff=TYPO_CUTOFF
            )
            self._corrections[word] = best[0] if best else word
        return self._corrections[word]

    def _synonyms(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                canonical = self.phrases.get(tuple(tokens[i : i + n]))
                if canonical is not None:
                    out.extend(canonical)
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out


class Index:
    """Scores every entry against a text; built once from the entries and the normalizer."""

    def __init__(self, entries: list[Entry], normalizer: Normalizer) -> None:
        self.entries = entries
        self.normalizer = normalizer
        normalizer.learn([q for e in entries for q in e.questions])
        entry_features: list[set[str]] = []  # per entry: every question variant and the source
        variant_features: list[set[str]] = []
        contents: list[str] = []  # per variant: content words, for rapidfuzz
        owners: list[int] = []  # per variant: its entry
        for number, entry in enumerate(entries):
            feats = normalizer.features(normalizer.tokens(entry.source))
            for question in entry.questions:
                tokens = normalizer.tokens(question)
                variant = normalizer.features(tokens)
                feats |= variant
                contents.append(normalizer.content(tokens))
                variant_features.append(variant)
                owners.append(number)
            entry_features.append(feats)
        df = Counter(f for feats in entry_features for f in feats)
        n = len(entries)
        self.idf = {f: math.log(1 + (n - d + 0.5) / (d + 0.5)) for f, d in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        # Which entries and variants hold which feature, as sparse 0/1 matrices: a query's overlap
        # with all of them is one product each.
        self._column = {f: j for j, f in enumerate(sorted(df))}
        self._weights = np.array([self._weight(f) for f in sorted(df)])
        self._entries_have = self._incidence(entry_features)
        variants_have = self._incidence(variant_features)
        self._variants_have = variants_have
        self._variant_mass = variants_have @ self._weights
        self._owner = np.array(owners, dtype=np.int64)
        self._variants = np.array(contents, dtype=object)

    def _incidence(self, rows: list[set[str]]) -> csr_matrix:
        indices = [self._column[f] for feats in rows for f in sorted(feats)]
        indptr = np.cumsum([0] + [len(feats) for feats in rows])
        data = np.ones(len(indices))
        return csr_matrix((data, indices, indptr), shape=(len(rows), len(self._column)))

    def _weight(self, feature: str) -> float:
        return self.idf.get(feature, self._unknown_idf) * (PAIR_WEIGHT if "+" in feature else 1.0)

    def scores(self, text: str) -> list[tuple[float, int]]:
        """(score in 0..1, entry number) for every entry sharing a word with the text, best first."""
        tokens = self.normalizer.tokens(text)
        query = self.normalizer.features(tokens)
        if not query:
            return []
        total = sum(self._weight(f) for f in query)
        known = [self._column[f] for f in query if f in self._column]
        if not known:
            return []
        q = np.zeros(len(self._column))
        q[known] = self._weights[known]
        recall = self._entries_have @ q / total
        candidates = recall > 0
        precision = np.zeros(len(self.entries))
        shared = self._variants_have @ q
        np.maximum.at(precision, self._owner, np.divide(shared, self._variant_mass, out=np.zeros_like(shared),
                                                        where=self._variant_mass > 0))
        similar = np.zeros(len(self.entries))
        content = self.normalizer.content(tokens)
        near = np.flatnonzero(candidates[self._owner])
        if content and len(near):
            ratios = process.cdist([content], self._variants[near].tolist(), scorer=fuzz.ratio)[0] / 100
            np.maximum.at(similar, self._owner[near], ratios)
        score = RECALL_WEIGHT * recall + PRECISION_WEIGHT * precision + SIMILARITY_WEIGHT * similar
        return sorted(((float(score[e]), int(e)) for e in np.flatnonzero(candidates)), reverse=True)
