"""The assessment workflow: self-assessed and verified values, progress, gaps, search and
crosswalks across the 2025 reform.

- :mod:`~dxframework.assessment.records`: records (self, verified, evidence, status, agency,
  person, deadline, comment) and the values a run scores;
- :mod:`~dxframework.assessment.reader`: the long assessment table (CSV, Excel, JSON);
- :mod:`~dxframework.assessment.status`: progress per group, agency and unit;
- :mod:`~dxframework.assessment.gaps`: self − verified, in points and in index effect,
  ranked by how far each disagreement moves the unit's rank;
- :mod:`~dxframework.assessment.search`: finding things with accents and case ignored;
- :mod:`~dxframework.assessment.text`: accent folding and natural sort keys;
- :mod:`~dxframework.assessment.crosswalk`: old units to new ones with a rule per indicator
  kind;
- :mod:`~dxframework.assessment.config`: what a pack declares (``[assessment]``,
  ``[crosswalks.NAME]``).
"""

from dxframework.assessment.config import (
    AssessmentConfig,
    CrosswalkConfig,
    assessment_config,
    crosswalk_configs,
    find_crosswalk,
)
from dxframework.assessment.crosswalk import (
    CrosswalkResult,
    Link,
    UnitMap,
    apply_crosswalk,
    compare_periods,
    crosswalk_framework,
    indicator_kind,
    read_unit_map,
    resolve_rules,
)
from dxframework.assessment.gaps import Gap, GapReport, gap_report, unit_independent
from dxframework.assessment.reader import (
    assessment_json,
    assessment_rows,
    parse_date,
    read_assessment,
    read_assessments,
)
from dxframework.assessment.records import (
    STATUSES,
    Assessment,
    AssessmentRecord,
    ValuesChoice,
    parse_status,
    status_label,
)
from dxframework.assessment.search import Hit, search, search_items
from dxframework.assessment.status import ProgressRow, progress, progress_rows
from dxframework.assessment.text import fold_text, natural_key, natural_sorted

__all__ = [
    "STATUSES",
    "Assessment",
    "AssessmentConfig",
    "AssessmentRecord",
    "CrosswalkConfig",
    "CrosswalkResult",
    "Gap",
    "GapReport",
    "Hit",
    "Link",
    "ProgressRow",
    "UnitMap",
    "ValuesChoice",
    "apply_crosswalk",
    "assessment_config",
    "assessment_json",
    "assessment_rows",
    "compare_periods",
    "crosswalk_configs",
    "crosswalk_framework",
    "find_crosswalk",
    "fold_text",
    "gap_report",
    "indicator_kind",
    "natural_key",
    "natural_sorted",
    "parse_date",
    "parse_status",
    "progress",
    "progress_rows",
    "read_assessment",
    "read_assessments",
    "read_unit_map",
    "resolve_rules",
    "search",
    "search_items",
    "status_label",
    "unit_independent",
]
