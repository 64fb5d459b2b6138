"""Writers of survey exports in the vendors' layouts (Qualtrics CSV, SurveyMonkey CSV).

Qualtrics: three header rows (question ids, question texts, ImportId JSON with the time zone of
date columns), metadata columns, questions, then embedded data. SurveyMonkey: two header rows
(question text, then "Response" / "Open-Ended Response"), metadata columns, then questions.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

QUALTRICS_TIMEZONE = "Europe/Berlin"

_QUALTRICS_METADATA = [
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": QUALTRICS_TIMEZONE}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": QUALTRICS_TIMEZONE}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": QUALTRICS_TIMEZONE}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
]


@dataclass(frozen=True)
class Question:
    column: str  # the export's question id, e.g. "Q1" or "Q2_TEXT"
    text: str
    import_id: str  # e.g. "QID1" or "QID2_TEXT"
    field: str  # the answers frame's column holding this question's answers


def _local_times(start: np.datetime64, day: pd.Series, second: pd.Series) -> pd.Series:
    """UTC day offsets and seconds as wall-clock text in the Qualtrics account's time zone."""
    utc = pd.to_datetime(start) + pd.to_timedelta(day, unit="D") + pd.to_timedelta(second, unit="s")
    local = utc.dt.tz_localize("UTC").dt.tz_convert(QUALTRICS_TIMEZONE)
    return local.dt.strftime("%Y-%m-%d %H:%M:%S")


def _response_ids(rng: np.random.Generator, n: int) -> list[str]:
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    letters = alphabet[rng.integers(0, len(alphabet), size=(n, 15))]
    return ["R_" + "".join(row) for row in letters]


def write_qualtrics_csv(
    path: Path,
    answers: pd.DataFrame,
    questions: list[Question],
    embedded: list[str],
    start: np.datetime64,
    rng: np.random.Generator,
) -> int:
    """Write a Qualtrics CSV export; `answers` has day, second, email, first_name, last_name,
    external_ref, finished, status and the question and embedded columns. Returns data rows."""
    n = len(answers)
    recorded = _local_times(start, answers["day"], answers["second"])
    duration = rng.integers(40, 600, n)
    started = _local_times(start, answers["day"], answers["second"] - duration)
    finished = answers["finished"].to_numpy()
    frame = pd.DataFrame(
        {
            "StartDate": started,
            "EndDate": recorded,
            "Status": answers["status"],
            "IPAddress": [f"192.0.2.{i % 250 + 1}" for i in range(n)],
            "Progress": np.where(finished, 100, rng.integers(20, 90, n)),
            "Duration (in seconds)": duration,
            "Finished": np.where(finished, "True", "False"),
            "RecordedDate": recorded,
            "ResponseId": _response_ids(rng, n),
            "RecipientLastName": answers["last_name"],
            "RecipientFirstName": answers["first_name"],
            "RecipientEmail": answers["email"],
            "ExternalReference": answers["external_ref"],
            "LocationLatitude": np.round(rng.uniform(47.3, 54.9, n), 4),
            "LocationLongitude": np.round(rng.uniform(5.9, 15.0, n), 4),
            "DistributionChannel": "email",
            "UserLanguage": "EN",
        }
    )
    for question in questions:
        frame[question.column] = answers[question.field].to_numpy()
    for name in embedded:
        frame[name] = answers[name].to_numpy()
    header_ids = list(frame.columns)
    header_texts = [m[1] for m in _QUALTRICS_METADATA] + [q.text for q in questions] + embedded
    import_ids = (
        [json.dumps(m[2], separators=(",", ":")) for m in _QUALTRICS_METADATA]
        + [json.dumps({"ImportId": q.import_id}, separators=(",", ":")) for q in questions]
        + [json.dumps({"ImportId": e}, separators=(",", ":")) for e in embedded]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerows([header_ids, header_texts, import_ids])
        writer.writerows(frame.itertuples(index=False, name=None))
    return n


def _surveymonkey_time(start: np.datetime64, day: pd.Series, second: pd.Series) -> pd.Series:
    utc = pd.to_datetime(start) + pd.to_timedelta(day, unit="D") + pd.to_timedelta(second, unit="s")
    return utc.dt.strftime("%m/%d/%Y %I:%M:%S %p")


def write_surveymonkey_csv(
    path: Path,
    answers: pd.DataFrame,
    questions: list[tuple[str, str, str]],
    start: np.datetime64,
    rng: np.random.Generator,
) -> int:
    """Write a SurveyMonkey CSV export; `questions` are (text, row-2 label, answers column)."""
    n = len(answers)
    duration = rng.integers(30, 400, n)
    frame = pd.DataFrame(
        {
            "Respondent ID": 114000000000 + np.arange(n) * 7 + rng.integers(0, 7, n),
            "Collector ID": 431000000,
            "Start Date": _surveymonkey_time(start, answers["day"], answers["second"] - duration),
            "End Date": _surveymonkey_time(start, answers["day"], answers["second"]),
            "IP Address": [f"198.51.100.{i % 250 + 1}" for i in range(n)],
            "Email Address": answers["email"],
            "First Name": answers["first_name"],
            "Last Name": answers["last_name"],
            "Custom Data 1": answers["external_ref"],
        }
    )
    metadata = list(frame.columns)
    for i, (_, _, field) in enumerate(questions):
        frame[f"q{i}"] = answers[field].to_numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(metadata + [q[0] for q in questions])
        writer.writerow([""] * len(metadata) + [q[1] for q in questions])
        writer.writerows(frame.itertuples(index=False, name=None))
    return n
