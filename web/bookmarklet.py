"""The bookmarklet on the check page: a ``javascript:`` link that, saved as a bookmark and
clicked on any page, opens the quote check with the words selected there.

On the visited page it only reads the selection and opens one absolute URL, the check page
on the configured base URL with ``?quote=`` — the same link any tool can build.
"""

from __future__ import annotations

import json

from web.check_request import SHAREABLE_QUERY_LENGTH

# The encoded quote's share of the query string, whose other part is "quote=".
QUOTE_LIMIT = SHAREABLE_QUERY_LENGTH - len("quote=")
# One line (a URL keeps no line breaks) and no "%" of its own (a javascript: URL is
# percent-decoded before it runs). The selection in a text field or on the page, trimmed;
# encoded a character at a time (a lone surrogate, which encodeURIComponent refuses, becomes
# U+FFFD; a space "+", as a form sends it) up to QUOTE_LIMIT characters, and when longer cut after
# the last whole word; then opened in a new tab, or in this one where a new tab is refused.
SCRIPT = (
    "(function(){"
    "var e=document.activeElement,s='',q='',w=0,b=0,c,p,u;"
    "try{if(e&&e.value!=null&&e.selectionEnd>e.selectionStart)"
    "s=e.value.slice(e.selectionStart,e.selectionEnd)}catch(x){}"
    "s=(s||String(getSelection())).trim();"
    "for(c of s){"
    "try{p=c==' '?'+':encodeURIComponent(c)}catch(x){p=encodeURIComponent('\\uFFFD')}"
    "if(q.length+p.length>__LIMIT__){if(w)q=q.slice(0,w);break}"
    "if(/\\s/.test(c)){if(!b)w=q.length;b=1}else b=0;"
    "q+=p}"
    "u=__CHECK__+(q?'?quote='+q:'');"
    "if(!window.open(u,'_blank'))location.href=u"
    "})()"
)


def build_bookmarklet(check_url: str) -> str:
    """The ``javascript:`` URL that opens ``check_url`` (absolute) with the selection."""
    code = SCRIPT.replace("__LIMIT__", str(QUOTE_LIMIT)).replace("__CHECK__", json.dumps(check_url))
    return "javascript:" + code.replace("%", "%25")
