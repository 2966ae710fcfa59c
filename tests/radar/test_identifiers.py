import pytest
from stdnum import luhn

from radar.identifiers import is_valid_siren, is_valid_siret, with_check_digit
from tests.builders import siren, siret


def test_real_identifiers_pass_luhn():
    # Published identifiers (Orange's SIREN; a head office SIRET from the API's own example).
    assert is_valid_siren("380129866")
    assert is_valid_siret("51076150500013")


@pytest.mark.parametrize("bad", ["380129867", "38012986", "3801298660", "38O129866", "", None, 380129866])
def test_bad_sirens_are_refused(bad):
    assert not is_valid_siren(bad)


def test_one_changed_digit_breaks_the_check():
    good = siret(siren(123))
    for i in range(14):
        changed = good[:i] + str((int(good[i]) + 1) % 10) + good[i + 1:]
        assert not is_valid_siret(changed), changed


def test_la_poste_sirets_use_digit_sum_divisible_by_five():
    # La Poste's SIRETs fail Luhn; their rule is a digit sum divisible by 5.
    nic_ok = next(f"{n:05d}" for n in range(1, 999) if sum(map(int, "356000000" + f"{n:05d}")) % 5 == 0
                  and not luhn.is_valid("356000000" + f"{n:05d}"))
    assert is_valid_siret("356000000" + nic_ok)
    nic_bad = next(f"{n:05d}" for n in range(1, 999) if sum(map(int, "356000000" + f"{n:05d}")) % 5 != 0)
    assert not is_valid_siret("356000000" + nic_bad)
    assert is_valid_siren("356000000")


def test_builder_makes_valid_identifiers():
    assert luhn.is_valid(with_check_digit("12345678"))
    assert is_valid_siret(siret(siren(42), 7))


import pandas as pd  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from radar.identifiers import valid_siren_array, valid_siret_array  # noqa: E402
from transforms.text import as_text_array  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text("0123456789", min_size=8, max_size=15),
                          st.builds(lambda n: siret(siren(n)), st.integers(0, 10**7)),
                          st.builds(lambda n: "356000000" + f"{n:05d}", st.integers(0, 99999))), max_size=20))
def test_vectorised_checks_agree_with_the_scalar_rule(values):
    col = pd.Series(values, dtype="object")
    assert list(valid_siren_array(as_text_array(col))) == [is_valid_siren(v) for v in values]
    assert list(valid_siret_array(as_text_array(col))) == [is_valid_siret(v) for v in values]


def test_vectorised_checks_on_a_column_of_several_arrow_chunks():
    # What pandas gives for a file of several row groups read with dtype_backend="pyarrow".
    import pyarrow as pa

    values = [siret(siren(n)) for n in range(1, 7)] + ["12345678901234", None]
    chunked = pa.chunked_array([values[:3], values[3:]], type=pa.string())
    col = pd.Series(pd.arrays.ArrowExtensionArray(chunked)).astype("string")
    assert list(valid_siret_array(as_text_array(col))) == [is_valid_siret(v) for v in values]
    assert list(valid_siren_array(as_text_array(col.str.slice(0, 9)))) == [is_valid_siren(v and v[:9]) for v in values]


def _stdnum_siret(value) -> bool:
    """python-stdnum's own answer, for the form our data has: exactly 14 ASCII digits."""
    from stdnum.fr import siret as stdnum_siret

    return isinstance(value, str) and len(value) == 14 and value.isascii() and value.isdigit() \
        and stdnum_siret.is_valid(value)


la_poste = st.builds(lambda n: "356000000" + f"{n:05d}", st.integers(0, 99999))
luhn_like = st.builds(lambda n: siret(siren(n), n % 97 + 1), st.integers(0, 10**7))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just("35600000000048"), la_poste, luhn_like,
                          st.text("0123456789", min_size=13, max_size=15), st.text(max_size=14)), max_size=30))
def test_vectorised_siret_check_agrees_with_stdnum(values):
    got = list(valid_siret_array(as_text_array(pd.Series(values, dtype="object"))))
    assert got == [_stdnum_siret(v) for v in values]


def test_la_postes_head_office_follows_luhn_not_the_digit_sum():
    # 35600000000048 passes Luhn and its digit sum is 26: the rule of La Poste's other establishments would refuse it.
    assert is_valid_siret("35600000000048")
    assert list(valid_siret_array(as_text_array(pd.Series(["35600000000048", "35600000000049"])))) == [True, False]
