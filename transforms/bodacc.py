"""BODACC notices: typed frame, one row per notice (a notice seen on two pages or runs is kept once)."""

from __future__ import annotations

import pandas as pd

from transforms.api_frames import latest_per_key, typed_frame

NOTICE_DTYPES = {
    "notice_id": "string", "published_on": "date", "parution": "string", "bulletin": "string",
    "family": "string", "family_label": "string", "notice_type": "string", "previous_notice_id": "string",
    "siren": "string", "tribunal": "string", "postcode": "string", "city": "string", "judgment_family": "string",
    "judgment_nature": "string", "judgment_date": "date", "procedure": "string", "deposit_type": "string",
    "accounts_closing_date": "date", "strike_off": "boolean", "url": "string",
}


def clean_notices(rows: list[dict]) -> tuple[pd.DataFrame, int]:
    frame = typed_frame(rows, NOTICE_DTYPES)
    frame["_version"] = frame["published_on"].astype("string")
    out, dupes = latest_per_key(frame, "notice_id", "_version")
    return out.drop(columns="_version"), dupes
