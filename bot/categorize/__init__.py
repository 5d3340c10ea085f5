"""Maps a citizen's description to the complaint taxonomy (level 1, and level 2 where it can)."""
from bot.categorize.model import Categorizer, Prediction, default_model_path

__all__ = ["Categorizer", "Prediction", "default_model_path"]
