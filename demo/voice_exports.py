"""Writes the demo company's surveys and reviews as the vendors would hand them over.

- `surveys/`: Qualtrics relationship NPS (with preview, test and spam rows and unfinished
  responses), Qualtrics transactional CSAT/CES after touchpoints, a SurveyMonkey website survey
  (answers as labels), and a Qualtrics employee pulse survey (eNPS by team).
- `reviews/`: a Google Play review CSV (UTF-16) and an App Store Connect reviews JSON.
- `demo_api/trustpilot_reviews.json`: what the demo review API server serves (the stand-in for
  the vendor's database; not a landing folder).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from demo import company as co
from demo import feedback
from demo.survey_exports import Question, write_qualtrics_csv, write_surveymonkey_csv

BUSINESS_UNIT_ID = "5f1e2d3c4b5a69788796a5b4"
APP_PACKAGE = "com.hearthco.shop"
# Where the Play Console shows one review: the export's `Review Link`, unique per review (the
# review id we derive hashes it; without it two reviews with the same text in the same second
# got the same id, which happened at 1M customers).
GOOGLE_PLAY_REVIEW_LINK = (
    "https://play.google.com/console/developers/7391204866012345678/app/4972630561234567890/"
    "user-feedback/review-details?reviewId=gp:{review_id}&corpus=PUBLIC_REVIEWS"
)
CSAT_LABELS = np.array(
    ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"], dtype=object
)


def _with_people(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    primary = people[people["is_primary"]].set_index("customer_idx")
    rows = primary.loc[frame["customer_idx"].to_numpy()]
    return frame.assign(
        email=rows["email"].to_numpy(),
        first_name=rows["first_name"].to_numpy(),
        last_name=rows["last_name"].to_numpy(),
    )


def _account_id(customer_idx: pd.Series) -> pd.Series:
    return "001Dm" + customer_idx.astype(str).str.zfill(10) + "AAA"


def _order_number(order_idx: pd.Series) -> pd.Series:
    return (10000000 + order_idx.astype(np.int64)).astype(str).str.zfill(8)


def _nps_group(score: pd.Series) -> np.ndarray:
    return np.where(score >= 9, "Promoter", np.where(score >= 7, "Passive", "Detractor"))


def write_survey_exports(
    company: co.DemoCompany, people: pd.DataFrame, out_dir: Path, rng: np.random.Generator
) -> dict[str, int]:
    """Write every survey export into `out_dir`; return data rows per file."""
    rows: dict[str, int] = {}
    nps = _with_people(feedback.relationship_nps(rng, company), people)
    nps = nps.assign(
        status="IP Address",
        external_ref=_account_id(nps["customer_idx"]),
        nps_group=_nps_group(nps["nps"]),
        channel="email",
    )
    # Real exports carry previews, tests and spam, which the reader must leave out.
    junk = nps.head(3).assign(status=["Survey Preview", "Survey Test", "Spam"], nps=[10, 0, 10])
    nps = pd.concat([nps, junk], ignore_index=True).sort_values(["day", "second"], kind="stable")
    rows["relationship_nps.csv"] = write_qualtrics_csv(
        out_dir / "relationship_nps.csv",
        nps,
        [
            Question(
                "Q1",
                "How likely are you to recommend Hearth & Co to a friend or colleague?",
                "QID1",
                "nps",
            ),
            Question("Q1_NPS_GROUP", "Q1 - Group", "QID1_NPS_GROUP", "nps_group"),
            Question("Q2", "What is the main reason for your score?", "QID2_TEXT", "verbatim"),
        ],
        ["segment", "job", "channel"],
        co.START_DATE,
        rng,
    )

    touchpoints = _with_people(feedback.touchpoint_surveys(rng, company), people)
    touchpoints = touchpoints.assign(
        status="IP Address",
        finished=True,
        external_ref=_order_number(touchpoints["order_idx"]),
        journey_stage=touchpoints["touchpoint"].map(co.TOUCHPOINT_STAGE),
    )
    web = touchpoints["touchpoint"] == "website"
    rows["touchpoint_csat_ces.csv"] = write_qualtrics_csv(
        out_dir / "touchpoint_csat_ces.csv",
        touchpoints[~web],
        [
            Question("Q1", "Overall, how satisfied were you with this experience?", "QID1", "csat"),
            Question("Q2", "How easy was it to get what you needed?", "QID2", "ces"),
            Question("Q3", "Tell us more about your experience.", "QID3_TEXT", "verbatim"),
        ],
        ["touchpoint", "journey_stage", "channel"],
        co.START_DATE,
        rng,
    )
    website = touchpoints[web].assign(csat_label=lambda f: CSAT_LABELS[f["csat"].to_numpy() - 1])
    rows["website_feedback.csv"] = write_surveymonkey_csv(
        out_dir / "website_feedback.csv",
        website,
        [
            ("How satisfied are you with our website?", "Response", "csat_label"),
            (
                "How easy was it to find what you needed? (1 = very hard, 7 = very easy)",
                "Response",
                "ces",
            ),
            ("What could we do better?", "Open-Ended Response", "verbatim"),
        ],  # fmt: skip
        co.START_DATE,
        rng,
    )

    pulse = feedback.employee_pulse(rng, company)
    pulse = pulse.assign(
        status="IP Address",
        finished=True,
        email="employee." + pulse["employee_idx"].astype(str) + "@staff.example.com",
        first_name="Employee",
        last_name=pulse["employee_idx"].astype(str),
        external_ref="E" + pulse["employee_idx"].astype(str).str.zfill(5),
    )
    rows["employee_pulse.csv"] = write_qualtrics_csv(
        out_dir / "employee_pulse.csv",
        pulse,
        [
            Question(
                "Q1",
                "How likely are you to recommend Hearth & Co as a place to work?",
                "QID1",
                "enps",
            ),
            Question("Q2", "What would make work better for you?", "QID2_TEXT", "verbatim"),
        ],
        ["team"],
        co.START_DATE,
        rng,
    )
    return rows


def _iso(day: pd.Series, second: pd.Series) -> pd.Series:
    moment = (
        pd.to_datetime(co.START_DATE)
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(second, unit="s")
    )
    return moment.dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def trustpilot_reviews(company: co.DemoCompany, rng: np.random.Generator) -> list[dict]:
    """Reviews in the shape of Trustpilot's Business API v1."""
    frame = feedback.reviews(rng, company)
    created = _iso(frame["created_day"], frame["second"])
    updated = _iso(frame["updated_day"], frame["second"])
    experienced = _iso(frame["created_day"] - 2, pd.Series(0, index=frame.index))
    consumer = frame["customer_idx"].map(
        lambda i: hashlib.sha1(f"consumer-{i}".encode()).hexdigest()[:24]
    )
    reviews = []
    for i, row in enumerate(frame.itertuples(index=False)):
        replied = row.stars <= 2
        reviews.append(
            {
                "id": hashlib.sha1(f"review-{row.order_idx}".encode()).hexdigest()[:24],
                "stars": int(row.stars),
                "title": row.title,
                "text": row.text,
                "language": row.language,
                "createdAt": created.iloc[i],
                "updatedAt": updated.iloc[i] if row.is_edited else None,
                "experiencedAt": experienced.iloc[i],
                "consumer": {
                    "id": consumer.iloc[i],
                    "displayName": f"Customer {row.customer_idx}",
                    "numberOfReviews": 1 + int(row.customer_idx) % 4,
                },
                "isVerified": True,
                "companyReply": {
                    "text": "We are sorry to hear this. Our team will contact you.",
                    "createdAt": updated.iloc[i],
                }
                if replied
                else None,
                "referenceId": f"{10000000 + int(row.order_idx):08d}",
                "tags": [{"group": "theme", "value": row.theme}],
                "source": "InvitationApi",
                "reviewVerificationLevel": "verified",
            }
        )
    return reviews


def app_store_frames(company: co.DemoCompany, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """App reviews as normalised frames per platform, for the app-store export writers."""
    frame = feedback.app_reviews(rng, company)
    moment = (
        pd.to_datetime(co.START_DATE)
        + pd.to_timedelta(frame["created_day"], unit="D")
        + pd.to_timedelta(frame["second"], unit="s")
    ).dt.tz_localize("UTC")
    review_ids = [
        hashlib.sha1(f"app-{p}-{i}".encode()).hexdigest()[:16]
        for p, i in zip(frame["platform"], frame.index, strict=True)
    ]
    links = [
        {"Review Link": GOOGLE_PLAY_REVIEW_LINK.format(review_id=r)} if p == "google_play" else {}
        for p, r in zip(frame["platform"], review_ids, strict=True)
    ]
    extra = [{"app_version": v} | link for v, link in zip(frame["app_version"], links, strict=True)]
    normalised = pd.DataFrame(
        {
            "provider": frame["platform"],
            "business_unit_id": APP_PACKAGE,
            "review_id": review_ids,
            "stars": frame["stars"],
            "title": frame["title"],
            "text": frame["text"],
            "language": "en",
            "created_at": moment,
            "updated_at": moment,
            "experienced_at": None,
            "consumer_id": None,
            "is_verified": False,
            "company_reply_text": None,
            "company_reply_at": None,
            "reference_id": None,
            "tags": [[] for _ in range(len(frame))],
            "extra": [json.dumps(e) for e in extra],
        }
    )
    return {
        platform: part.reset_index(drop=True)
        for platform, part in normalised.groupby("provider", sort=True)
    }
