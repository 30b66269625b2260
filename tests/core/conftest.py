"""Lets the pure unit tests of nhandao.core run without the project's Django settings.

With pytest-django active the project settings are used. When run with ``-p no:django`` (while
the rest of the project is not loadable), a minimal configuration with translation switched off is
installed so that ``gettext`` returns the Vietnamese source messages.
"""

import os

from django.conf import settings

if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(USE_I18N=False, USE_TZ=True, TIME_ZONE="Asia/Ho_Chi_Minh")
