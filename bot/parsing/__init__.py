"""Plain parsing functions for the dialogue (no Rasa imports, no I/O at import time).

Each module answers one question about a citizen's words — is this a case number, a phone
number, an address, a time, a name, an appeal type, … — so that the form validators stay thin
and the rules can be tested exhaustively without a tracker.
"""
