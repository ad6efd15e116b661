"""Prompt parsing: shot descriptions in words -> instruction labels (grammar.py over the lexicon in lexicon.py)."""

from .grammar import *  # noqa: F401,F403
