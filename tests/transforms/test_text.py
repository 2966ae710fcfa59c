import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.text import clean_text, clean_text_column

texts = st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["[ND]", " [ND] ", "[NON-DIFFUSIBLE]", "  ",
                                                                   "Cafe\u0301", "a\x00b", "x\r\ny"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, min_size=1, max_size=30))
def test_column_cleaning_matches_the_scalar_rule_and_is_idempotent(values):
    col = clean_text_column(pd.Series(values, dtype="object"))
    expected = [clean_text(v) for v in values]
    assert [None if pd.isna(v) else v for v in col] == expected
    again = clean_text_column(col)
    assert again.equals(col)


def test_examples():
    assert clean_text("  Issy-les-Moulineaux \t") == "Issy-les-Moulineaux"
    assert clean_text("[ND]") is None
    assert clean_text("Cafe\u0301") == "Café"
    assert clean_text("a\x00b") == "ab"


def test_unicode_spaces_and_runs_of_spaces_collapse_in_columns_too():
    values = ["a\u00a0\u00a0b", "a  b", "a\u2028b", "a\u3000b \u200a", "plain text", "\x1cx\x1dy", None]
    assert list(clean_text_column(pd.Series(values, dtype="object")).fillna("<NA>")) == \
        [clean_text(v) or "<NA>" for v in values] == ["a b", "a b", "a b", "a b", "plain text", "xy", "<NA>"]


# Few characters, so that whole columns are often free of one kind of trouble (no combining mark, no edge
# space, no '[') and the byte checks that skip a step are exercised both ways.
tricky = st.text(alphabet="ab [ND]\t\u00a0\u0301\u00e9\u2019\u3000\u0085", max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), tricky), min_size=1, max_size=12))
def test_byte_checks_that_skip_steps_never_change_the_result(values):
    col = clean_text_column(pd.Series(values, dtype="object"))
    assert [None if pd.isna(v) else v for v in col] == [clean_text(v) for v in values]
