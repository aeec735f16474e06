"""Import survey responses that other tools exported: one row per respondent.

LimeSurvey, Google Forms and SurveyMonkey all give one row per respondent with one
column per question. A *mapping* says which column holds which of the campaign's
fields (each item × E/P or A/Ds/P, touchpoint, site, segment, when, overall items,
importance points, comment). Checking is pure: every problem of every row is collected
with its row, column, value and reason. ``import_responses`` then stores every row or
none, each response keyed by the file's hash and its row, so importing a file twice
stores it once. The column names of ``servqual.surveys.exporting`` map automatically,
so an export re-imports 1:1.
"""

from servqual.surveys.importing.plan import (
    FORMULA_TRIGGERS,
    ImportMapping,
    ImportPlan,
    MappingError,
    auto_columns,
    build_plan,
    campaign_fields,
    check_mapping,
    mapping_from_json,
    measure_labels,
)
from servqual.surveys.importing.rows import check_rows
from servqual.surveys.importing.store import file_hash, import_responses, submission_key
from servqual.surveys.importing.uploads import (
    MAX_IMPORT_BYTES,
    delete_upload,
    load_upload,
    store_upload,
)

__all__ = [
    "FORMULA_TRIGGERS",
    "MAX_IMPORT_BYTES",
    "ImportMapping",
    "ImportPlan",
    "MappingError",
    "auto_columns",
    "build_plan",
    "campaign_fields",
    "check_mapping",
    "check_rows",
    "delete_upload",
    "file_hash",
    "import_responses",
    "load_upload",
    "mapping_from_json",
    "measure_labels",
    "store_upload",
    "submission_key",
]
