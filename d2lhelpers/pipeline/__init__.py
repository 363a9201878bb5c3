"""The notebook pipeline: execute chapters in a profile, record what made them, check them.

For maintainers; a learner's notebook never imports it. Command line (installed
as ``d2l-notebooks``, or ``python -m d2lhelpers.pipeline``)::

    d2l-notebooks execute                    # every notebook under chapters/, cpu profile
    d2l-notebooks execute chapters/01_data.ipynb --profile gpu
    d2l-notebooks check                      # stale, edited, wrong-profile or broken outputs
    d2l-notebooks sync-setup                 # rewrite every notebook's setup cell
    d2l-notebooks pages                      # regenerate results.md and glossary.md

Modules: :mod:`.project` (the repository, its configuration and notebooks),
:mod:`.provenance` (what outputs depend on, as hashes), :mod:`.execute`,
:mod:`.check`, :mod:`.pages` (generated pages, from ``course.json``'s data)
and :mod:`.cli`.
"""

from .check import PUBLISHED_PROFILES, check_environment, check_notebook, printed_records
from .cli import main
from .execute import absolute_data_dir, execute_notebook
from .pages import (
    GLOSSARY_PAGE, RESULTS_PAGE, exercise_problems, glossary_page, key_terms, results_page, write_generated_pages,
)
from .project import (
    ProjectError, canonical_setup_source, course_data, notebooks_under, pinned_versions,
    project_root, repository_branch, repository_url, setup_cell_source, sync_setup_cell,
)
from .provenance import (
    build_record, code_sha256, helper_dependencies, notebook_helpers, outputs_sha256,
    provenance_sha256, renumber_widgets, tags_sha256,
)

__all__ = [
    "GLOSSARY_PAGE", "PUBLISHED_PROFILES", "RESULTS_PAGE", "ProjectError", "absolute_data_dir",
    "build_record", "canonical_setup_source", "check_environment", "check_notebook", "code_sha256",
    "course_data", "exercise_problems", "execute_notebook", "glossary_page", "helper_dependencies", "key_terms", "main",
    "notebook_helpers", "notebooks_under", "outputs_sha256", "pinned_versions", "printed_records",
    "project_root", "provenance_sha256", "renumber_widgets", "repository_branch", "repository_url",
    "results_page", "setup_cell_source", "sync_setup_cell", "tags_sha256", "write_generated_pages",
]
