"""Demo donors, an appeal with donations, a statement and sponsorships (filled by the demo seed)."""


def demo_seed() -> None:
    return None
