"""Statement files of the statements tests."""
