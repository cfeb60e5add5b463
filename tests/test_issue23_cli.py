"""Issue 23: the command line explains itself: help on every argument with its default, --version, the exit
codes in the epilog, type errors that say what is expected."""

import argparse
import re

import pytest

from cpo_xl.cli.main import parser
from cpo_xl.excel.functions import version_text


def verbs() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_argument_of_every_verb_has_help_and_states_its_default():
    """Before: positional arguments and --output had no help, and no default was stated."""
    assert set(verbs()) == {"summary", "simulate", "build", "check", "publish", "pull", "diff", "explain", "bridge",
                           "lite"}
    for name, verb in verbs().items():
        for action in verb._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            where = f"{name} {action.dest}"
            assert action.help, f"{where}: no help"
            assert "None" not in action.help, where
            if action.option_strings:  # an option: what happens without it
                assert "default" in action.help, f"{where}: default not stated"
            elif action.default is not None:  # an optional positional
                assert f"default {action.default}" in action.help, where


def test_version_prints_the_package_and_assumptions_fingerprint(capsys):
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == version_text()


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["publish", "--help"]])
def test_help_ends_with_the_exit_codes(args, capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(args)
    out = capsys.readouterr().out
    assert "exit codes:" in out and "\n  1  a check failed" in out and "\n  2  bad input" in out


@pytest.mark.parametrize("args, message", [
    (("summary", "--year", "abc"), "argument --year: invalid int value: 'abc' (expected a year, 2023 to 2035"),
    (("simulate", "-n", "1.5"), "argument -n: invalid int value: '1.5' (expected a number of draws"),
    (("explain", "tam", "20x0"), "argument YEAR: invalid int value: '20x0' (expected a year"),
])
def test_a_type_error_says_what_is_expected_in_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(list(args))
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and err.count("\n") == 1


def test_whole_numbers_may_be_written_as_an_analyst_types_them():
    args = parser().parse_args(["simulate", "-n", "1e5", "--seed", "7.0"])
    assert args.n == 100_000 and args.seed == 7


@pytest.mark.parametrize("args", [
    ("explain", "exposure", "2030", "--ticker", "AVGO"),  # before: "legacy_usd_m = None (shipped default)"
    ("explain", "ebit_elasticity", "2030", "--ticker", "LITE"),
    ("summary", "--scenarios"),
])
def test_no_none_in_the_output(args, tmp_path, capsys):
    from tests.conftest import run
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert not re.search(r"\bNone\b", out)
