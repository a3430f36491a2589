"""Test collection settings shared by the doctests in stdaddr/ and the tests in tests/."""

collect_ignore = ["stdaddr/__main__.py"]
