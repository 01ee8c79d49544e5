"""What ``make test-deps`` does with missing system packages: apt-get as root, else one line
naming the command; and the skip reason the tests give."""

from __future__ import annotations

import pytest

from tests.support.system_packages import CHROMIUM, POSTGRESQL, advice, skip_reason


def test_nothing_missing_needs_no_word_and_no_install() -> None:
    for root in (True, False):
        for apt in (True, False):
            assert advice([], root=root, apt=apt) is None


def test_root_with_apt_get_installs_without_a_word() -> None:
    assert advice([CHROMIUM, POSTGRESQL], root=True, apt=True) is None


@pytest.mark.parametrize(("root", "apt", "command"), [
    (False, True, "run `sudo make test-deps` (apt-get install chromium postgresql)"),
    (True, False, "install chromium postgresql with this system's package manager"),
    (False, False, "install chromium postgresql with this system's package manager"),
])
def test_otherwise_one_line_names_the_command(root: bool, apt: bool, command: str) -> None:
    line = advice([CHROMIUM, POSTGRESQL], root=root, apt=apt)
    assert line is not None and "\n" not in line
    assert command in line
    assert "chromium for the Phoenix UI test in tests/pipeline/test_demo.py" in line
    assert line.endswith("until then those tests are skipped")


def test_a_skipped_test_says_what_to_install() -> None:
    assert skip_reason(CHROMIUM) == ("chromium is not installed: run `make test-deps` as root "
                                     "(apt-get install chromium)")
