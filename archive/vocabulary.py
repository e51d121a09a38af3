"""The archive's vocabulary: the names shown for language tags, platforms and kinds of
statement, and the aliases a search accepts for them. The one home of these labels for the
citations, the search facets, the pages and the query filters."""
from __future__ import annotations

LANGUAGE_NAMES = {
    "ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hi": "Hindi", "hu": "Hungarian", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese",
}
PLATFORM_NAMES = {
    "x": "X", "twitter": "Twitter", "mastodon": "Mastodon", "bluesky": "Bluesky",
    "threads": "Threads", "facebook": "Facebook", "instagram": "Instagram",
    "linkedin": "LinkedIn", "reddit": "Reddit", "youtube": "YouTube", "tiktok": "TikTok",
}
KIND_LABELS = {
    "post": "post", "reply": "reply", "repost": "repost", "letter": "letter",
    "remark": "remark", "interview": "interview", "speech": "speech", "article": "article",
    "other": "statement",
}
# Words a search filter accepts for a language code (``lang:german``) and the stored
# platform names one filter value stands for (X was called Twitter before 2023).
LANGUAGE_ALIASES = {"german": "de", "deutsch": "de", "english": "en", "englisch": "en"}
PLATFORM_ALIASES = {"twitter": ("x", "twitter"), "x": ("x", "twitter")}


def language_name(tag: str) -> str:
    """``German`` for ``de`` or ``de-AT``; an unknown tag as it is."""
    return LANGUAGE_NAMES.get(tag.split("-")[0].lower(), tag)


def platform_name(platform: str) -> str:
    """``X`` for ``x``; an unknown platform as it is."""
    return PLATFORM_NAMES.get(platform.lower(), platform)
