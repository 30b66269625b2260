"""English UI keeps the Vietnamese formats: dd/mm/yyyy dates and 1.500.000 đ amounts."""

from nhandao.formats.vi.formats import *  # noqa: F403
