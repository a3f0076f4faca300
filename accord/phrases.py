"""The sentences people read from several modules, written once, so that the same refusal
reads the same wherever it comes from (and is translated once).

Lazy: each is translated when it is shown, in the language active then. Format one with
`%` (which gives a plain string), or take `str()` of it where a plain string is needed.
"""

from django.utils.translation import gettext_lazy as _

# An uploaded file over the size limit (an indicator's CSV, an agreement's file, an
# alliance's document): `% {"size": "12.3", "limit": 10}`.
FILE_TOO_LARGE = _("This file is %(size)s MB; the limit is %(limit)d MB.")

# A meeting's timer, refused by the service, the console's form and the socket alike.
TIMER_MINUTES = _("A timer runs from 1 to 180 minutes.")
