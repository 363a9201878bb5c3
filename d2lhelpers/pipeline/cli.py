"""The ``d2l-notebooks`` command: execute, check, sync-setup, pages."""

from __future__ import annotations

import argparse

from ..profiles import check_profile
from .check import check_environment, check_notebook
from .execute import execute_notebook
from .pages import GLOSSARY_PAGE, RESULTS_PAGE, write_generated_pages
from .project import canonical_setup_source, notebooks_under, project_root, sync_setup_cell
from .vendor import bundle, vendor, vendor_manifest


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from . import __doc__ as summary

    parser = argparse.ArgumentParser(prog="d2l-notebooks", description=summary.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute notebooks and write their outputs back")
    run.add_argument("paths", nargs="*", help="notebooks or folders (default: chapters/)")
    run.add_argument("--profile", default="cpu", help="smoke, cpu or gpu (default: cpu)")
    run.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    check = commands.add_parser("check", help="list stale or broken committed notebooks")
    check.add_argument("paths", nargs="*")
    sync = commands.add_parser("sync-setup", help="rewrite the setup cell of notebooks")
    sync.add_argument("paths", nargs="*")
    commands.add_parser("pages", help=f"regenerate {RESULTS_PAGE} and {GLOSSARY_PAGE} from the notebooks")
    commands.add_parser("vendor", help="fetch the pinned JavaScript and fonts the website serves itself")
    commands.add_parser("bundle", help="zip the built site (_build/html) into one offline download")
    args = parser.parse_args(argv)

    root = project_root()
    if args.command == "vendor":
        target = vendor(root)
        size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
        print(f"vendored {len(vendor_manifest())} packages into {target.relative_to(root)} ({size / 1e6:.1f} MB)")
        return 0
    if args.command == "bundle":
        target = bundle(root / "_build" / "html")
        print(f"wrote {target.relative_to(root)} ({target.stat().st_size / 1e6:.1f} MB)")
        return 0
    if args.command == "pages":
        for page in write_generated_pages(root):
            print(f"wrote {page.relative_to(root)}")
        return 0
    paths = notebooks_under(args.paths, root)
    if args.command == "execute":
        profile = check_profile(args.profile)
        failed = 0
        for path in paths:
            print(f"executing {path.relative_to(root)} in the {profile} profile ...", flush=True)
            meta = execute_notebook(path, profile, args.timeout, root=root)
            print(f"  {meta['wall_time_s']} s, recorded {meta['records']}", flush=True)
            for problem in check_notebook(path, root):
                failed += 1
                print(f"  problem: {problem}", flush=True)
        for page in write_generated_pages(root):
            print(f"wrote {page.relative_to(root)}")
        return 1 if failed else 0
    if args.command == "sync-setup":
        source = canonical_setup_source(root)
        for path in paths:
            if sync_setup_cell(path, source):
                print(f"updated the setup cell of {path.relative_to(root)}")
        return 0
    problems = check_environment(root)
    problems += [problem for path in paths for problem in check_notebook(path, root)]
    print("\n".join(problems) if problems else f"{len(paths)} notebooks are up to date.")
    return 1 if problems else 0
