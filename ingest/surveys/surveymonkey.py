"""SurveyMonkey "all responses" exports, expanded or condensed, CSV or XLSX.

Two header rows: row 1 the metadata names (`Respondent ID`, `Collector ID`, `Start Date`,
`End Date`, `IP Address`, `Email Address`, `First Name`, `Last Name`, `Custom Data 1`), custom
variables, then each question's text over its first column; row 2 blank under the metadata and
`Response`, `Open-Ended Response` or an option label under each question column. A question of
several columns (a matrix, checkboxes, "Other (please specify)") gives Q<n>_<k>. Dates are
month first with AM/PM (`08/24/2022 03:07:27 PM`), ISO (`2022-08-24 15:07:27`) or Excel's
re-save (`8/24/22 15:07`); SurveyMonkey writes no time zone (the mapping's `timezone` applies).
"""

from __future__ import annotations

from ingest.surveys.cells import Records, check_duplicates, is_personal, padded
from ingest.surveys.wide import Wide

MARKERS = frozenset(
    {
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    }
)
SINGLE_ANSWER = frozenset({"", "Response", "Open-Ended Response"})
_ROLES = {
    "Respondent ID": "response_id",
    "End Date": "end_date",
    "Start Date": "start_date",
    "Email Address": "email",
    "Custom Data 1": "external_ref",
}


def is_surveymonkey(records: Records) -> bool:
    header = {c.strip() for c in records.rows[0]}
    return len(records.rows) >= 2 and len(MARKERS & header) >= 2


def read_surveymonkey(records: Records) -> Wide:
    name_row, option_row = records.rows[:2]
    width = max(len(name_row), len(option_row))
    names = [c.strip() for c in name_row] + [""] * (width - len(name_row))
    options = [c.strip() for c in option_row] + [""] * (width - len(option_row))
    # Metadata and custom variables lead, with nothing under them in row 2.
    first_question = next((i for i, option in enumerate(options) if option), width)
    check_duplicates(records, names[:first_question])
    data, lines = padded(records, width, 2)
    wide = Wide("surveymonkey", records, data, lines, names, [], {}, {})
    for index, name in enumerate(names[:first_question]):
        if not name or is_personal(name):
            continue
        if name in _ROLES:
            wide.roles[_ROLES[name]], wide.role_names[_ROLES[name]] = index, name
        elif name.casefold() in ("surveyid", "survey id"):
            wide.roles["survey_id"], wide.role_names["survey_id"] = index, name
        else:
            wide.embedded.append((index, "collector_id" if name == "Collector ID" else name))
    if "response_id" not in wide.roles:
        raise records.fail("missing required column 'Respondent ID'")
    date = "end_date" if "end_date" in wide.roles else "start_date"
    if date not in wide.roles:
        raise records.fail("missing required column 'End Date'")
    wide.roles["recorded_at"], wide.role_names["recorded_at"] = (
        wide.roles[date],
        ("End Date" if date == "end_date" else "Start Date"),
    )

    groups: list[list[int]] = []
    for index in range(first_question, width):
        if names[index]:
            groups.append([index])
        elif groups:
            groups[-1].append(index)
        else:
            raise records.fail(
                f"column {index + 1} has an answer option but no question above it", 1
            )
    for number, group in enumerate(groups, start=1):
        text = names[group[0]]
        for k, index in enumerate(group, start=1):
            question_id = f"Q{number}_{k}" if len(group) > 1 else f"Q{number}"
            option = options[index]
            label = text if option in SINGLE_ANSWER else f"{text} - {option}"
            wide.questions.append((index, question_id, label))
    return wide
