"""What every flow shares: how a step becomes a Prefect task, the shared steps as tasks, and the artifact a run
leaves in the Prefect UI."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from steps import common

# Retries live in the HTTP client (a task retry would multiply them); steps exchange paths and small dicts, so
# there is nothing worth caching.
step_task = task(cache_policy=NO_CACHE, retries=0)

prepare = step_task(common.prepare_warehouse, name="prepare-warehouse")
publish = step_task(common.publish, name="publish-snapshot")


def leave_artifact(key: str, title: str, lines: list[str], table: list[dict]) -> None:
    """Markdown summary and counts table of the run, in the Prefect UI (keys: lowercase, dashes)."""
    create_markdown_artifact(markdown=f"# {title}\n\n" + "\n".join(f"- {line}" for line in lines),
                             key=f"{key}-summary", description=title)
    create_table_artifact(table=table or [{"source": "(none)", "status": "", "month": "", "fetched": None,
                                           "loaded": None, "quarantined": None, "deduplicated": None}],
                          key=f"{key}-counts", description=f"{title}: counts per source")
