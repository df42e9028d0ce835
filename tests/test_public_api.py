"""The public API is what `__all__` lists, and the JSON Schemas in `schemas/` are current."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import summarise
from summarise.output import json_schemas

from .conftest import ROOT


def test_all_lists_every_public_name_and_each_resolves() -> None:
    assert summarise.__all__ == sorted(summarise.__all__)
    for name in summarise.__all__:
        assert getattr(summarise, name) is not None, name
    assert set(summarise.__all__) <= set(dir(summarise))


def test_importing_the_package_and_the_core_api_loads_no_llm_stack() -> None:
    code = (
        "import sys, summarise\n"
        "from summarise import merge, load_article, render_html, evaluate, DefenceMeetingReport\n"
        "loaded = sorted(m for m in ('openai', 'instructor', 'httpx2') if m in sys.modules)\n"
        "print(','.join(loaded))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_schemas_directory_is_up_to_date() -> None:
    for name, schema in json_schemas().items():
        path = ROOT / "schemas" / f"{name}.schema.json"
        assert path.exists(), f"{path} is missing: run `summarise schema`"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, (
            f"{path} is out of date: run `summarise schema`"
        )


# Names other code imports from the modules that became packages, as they stood before.
OLD_PATHS = {
    "summarise.merging": [
        "COPY_THRESHOLD", "MERGE_SCHEMA_VERSION", "AliasTable", "Attendance", "AttendanceClaim",
        "AttendeeClaim", "Conflict", "ConflictValue", "CopyGroup", "DateClaim", "DateValue",
        "DenialClaim", "FigureClaim", "FigureValue", "LocationClaim", "MergedDate",
        "MergedDenial", "MergedEntity", "MergedFigure", "MergedLocation", "MergedReport",
        "MergedRisk", "MergedTopic", "NameForm", "Relation", "RiskClaim", "SourceExtraction",
        "SourceSummary", "TopicClaim", "find_copies", "load_aliases", "load_reports", "merge",
        "verify_provenance",
    ],
    "summarise.models": [
        "SCHEMA_VERSION", "Alignment", "Article", "Attendee", "AttendeeKind", "DateMention",
        "DatePrecision", "DefenceMeetingReport", "Denial", "Evidence", "ExtractionInfo",
        "KeyFigure", "Location", "Risk", "RiskCategory", "Source", "Stance", "TokenUsage",
        "Topic",
    ],
    "summarise.entities": [
        "MAX_BLOCK", "NEIGHBOURS", "AliasTable", "DisjointSets", "Entity", "Link", "LinkBasis",
        "LinkRelation", "NameMention", "Resolution", "candidate_pairs", "load_aliases",
        "resolve",
    ],
    "summarise.review": ["load_for_review", "render_html", "render_markdown", "render_terminal"],
    "summarise.evaluation": [
        "ArticleScore", "EvalResult", "FieldScore", "Finding", "Gold", "GoldAttendee",
        "GoldDate", "GoldDenial", "GoldKeywordItem", "GoldStance", "GroundingScore", "Outcome",
        "Scores", "StanceScore", "eval_table", "evaluate", "load_gold", "score_report",
    ],
}  # fmt: skip


def test_names_keep_their_old_import_paths() -> None:
    for module, names in OLD_PATHS.items():
        loaded = importlib.import_module(module)
        missing = [name for name in names if not hasattr(loaded, name)]
        assert missing == [], f"{module} lost {missing}"
        assert set(names) <= set(loaded.__all__), module
    merging = importlib.import_module("summarise.merging")
    assert merging.__all__ == OLD_PATHS["summarise.merging"]  # exactly today's list


def test_merged_models_are_one_class_wherever_imported() -> None:
    merging = importlib.import_module("summarise.merging")
    models = importlib.import_module("summarise.models")
    assert merging.MergedReport is models.MergedReport is summarise.MergedReport
    assert models.MergedReport.__module__ == "summarise.models.merged"


def test_the_batch_api_is_public_and_choosing_it_loads_no_llm_stack() -> None:
    batch = importlib.import_module("summarise.batch")
    assert summarise.BatchApiSettings is batch.BatchApiSettings
    assert {"BatchApiSettings", "BatchEntry", "BatchFailed"} <= set(batch.__all__)
    code = (
        "import sys\n"
        "from summarise.batch import BatchApiSettings, run_folder\n"
        "BatchApiSettings(poll_interval=1.0)\n"
        "loaded = sorted(m for m in ('openai', 'instructor', 'httpx2') if m in sys.modules)\n"
        "print(','.join(loaded))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
