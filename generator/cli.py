"""The ``cuepress`` command: argument parsing and exit codes, nothing else.

Exit codes: 0 success, 1 the content has errors, 2 a usage error.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.build import build
from generator.config import load_site
from generator.errors import BuildFailed, CuepressError, Problem, Problems, in_order

if TYPE_CHECKING:
    from generator.check import CheckResult
    from generator.shards import Shard


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args))


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cuepress",
        description="Build a static website from podcast episode records and transcripts.",
    )
    parser.add_argument("--version", action="version", version=f"cuepress {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    new_cmd = commands.add_parser(
        "new",
        help="make a new site in a folder, ready to build and publish",
        description="Make a new site in DIR: site.yaml, an example episode with its transcript, "
        "a README, .gitignore, a pinned requirements.txt and a GitHub Pages workflow.",
    )
    new_cmd.add_argument("dir", type=Path, metavar="DIR", help="the folder to make (new, or empty)")
    new_cmd.set_defaults(run=run_new)

    build_cmd = commands.add_parser(
        "build", help="build the site into a folder", description="Build the site."
    )
    add_site_option(build_cmd)
    build_cmd.add_argument(
        "--output", type=Path, help="where to write the site (default: SITE/output)"
    )
    build_cmd.add_argument("--strict", action="store_true", help="treat every warning as an error")
    build_cmd.add_argument("--drafts", action="store_true", help="include episodes marked draft")
    build_cmd.add_argument(
        "--base-url", help="the site's public URL, overriding base_url in site.yaml"
    )
    build_cmd.add_argument(
        "--shard",
        type=shard_option,
        metavar="K/N",
        help="build the K-th of N shares of a network's shows, for cuepress merge",
    )
    build_cmd.set_defaults(run=run_build)

    serve_cmd = commands.add_parser(
        "serve",
        help="preview the site, rebuilding and reloading the browser on every save",
        description="Serve a live-reloading preview under the path of base_url.",
    )
    add_site_option(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve_cmd.add_argument("--open", action="store_true", help="open the preview in a browser")
    serve_cmd.add_argument("--drafts", action="store_true", help="include episodes marked draft")
    serve_cmd.set_defaults(run=run_serve)

    check_cmd = commands.add_parser(
        "check",
        help="check every link, asset and #fragment of the built site",
        description="Check that every internal link, asset and #fragment of the built site "
        "resolves under the path of base_url. External links are not fetched.",
    )
    add_site_option(check_cmd)
    check_cmd.add_argument("--output", type=Path, help="the built site (default: SITE/output)")
    check_cmd.add_argument(
        "--base-url", help="the URL the site was built for (default: base_url in site.yaml)"
    )
    check_cmd.set_defaults(run=run_check)

    deploy_cmd = commands.add_parser(
        "deploy",
        help="build, check and publish the site to a branch (gh-pages)",
        description="Build the site, check every link, and publish SITE/output to a branch "
        "with ghp-import. Your branch, index and working tree are never touched.",
    )
    add_site_option(deploy_cmd)
    deploy_cmd.add_argument(
        "--remote", default="origin", help="the git remote to push to (default: origin)"
    )
    deploy_cmd.add_argument(
        "--branch", default="gh-pages", help="the branch to publish to (default: gh-pages)"
    )
    deploy_cmd.add_argument(
        "--message", help="the commit message (default: names the commit the site was built from)"
    )
    deploy_cmd.add_argument(
        "--strict", action="store_true", help="treat every build warning as an error"
    )
    deploy_cmd.set_defaults(run=run_deploy)

    import_cmd = commands.add_parser(
        "import",
        help="bring a show in from its existing feed (episodes, transcripts, chapters)",
        description="Import a podcast's existing RSS feed into a site: site.yaml from the "
        "channel, one record per episode with its guid kept exactly, the best transcript each "
        "episode offers and its chapters. Importing again adds new episodes and retries what "
        "failed; a record or transcript you have edited is never changed.",
    )
    import_cmd.add_argument(
        "source", metavar="SOURCE", help="the feed's http(s) URL, or a feed file"
    )
    add_site_option(import_cmd)
    import_cmd.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for a server (default: 30)"
    )
    import_cmd.add_argument("--jobs", type=int, default=8, help="downloads at once (default: 8)")
    import_cmd.add_argument(
        "--show",
        metavar="NAME",
        help="add the feed as the show content/shows/NAME/ of a network of shows",
    )
    import_cmd.set_defaults(run=run_import)
    add_merge_command(commands)
    return parser


def add_site_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--site",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the site folder holding site.yaml (default: the current folder)",
    )


def run_new(args: argparse.Namespace) -> int:
    from generator.scaffold import new_site

    try:
        made = new_site(args.dir)
    except CuepressError as exc:
        report([exc.problem], "")
        return 1
    shown = str(args.dir)
    print(f"Made a new site for {made.title!r} in {shown}:", file=sys.stderr)
    for name in made.files:
        print(f"  {name}", file=sys.stderr)
    if not made.pin.exact:
        print(
            f"requirements.txt pins {made.pin.line}, which is not on PyPI: before you publish, "
            "replace it with where the site should install Cuepress from (see its comment).",
            file=sys.stderr,
        )
    print("Next:", file=sys.stderr)
    if made.folder.resolve() != Path.cwd().resolve():
        print(f"  cd {shlex.quote(shown)}", file=sys.stderr)
    print(
        "  cuepress serve   # preview it at http://127.0.0.1:8000/, reloading on every save\n"
        "  cuepress build   # build it into output/\n"
        "  cuepress check   # check every link and anchor\n"
        "Then set base_url in site.yaml, and see README.md there to publish on GitHub Pages.",
        file=sys.stderr,
    )
    return 0


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        result = build(
            args.site,
            args.output,
            strict=args.strict,
            drafts=args.drafts,
            base_url=args.base_url,
            shard=args.shard,
        )
    except BuildFailed as failed:
        return report_failed(failed, "Build failed: {errors}; the output was not changed.")
    report(result.warnings, "warning: ")
    seconds = time.perf_counter() - started
    print(
        f"Built {f'shard {args.shard}: ' if args.shard else ''}"
        f"{plural(len(result.episodes), 'episode')} ({plural(result.files, 'file')}) "
        f"into {result.output} "
        f"in {seconds:.2f} s.",
        file=sys.stderr,
    )
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve  # the server's libraries load only when serving

    try:
        return serve(
            args.site, host=args.host, port=args.port, open_browser=args.open, drafts=args.drafts
        )
    except CuepressError as exc:  # the build cache cannot be trusted
        report([exc.problem], "")
        return 1


def run_check(args: argparse.Namespace) -> int:
    from generator.check import check_site  # each command loads only what it uses

    started = time.perf_counter()
    problems = Problems()
    site = load_site(args.site, problems, args.base_url)
    if site is None:
        report(problems.errors, "")
        print("Check failed: site.yaml has errors.", file=sys.stderr)
        return 1
    output = args.output if args.output is not None else args.site / "output"
    try:
        result = check_site(output, site.base_url)
    except CuepressError as exc:
        report([exc.problem], "")
        return 1
    shown = shown_path(output, args.site)
    if report_broken(result, shown):
        print(f"Check failed: {plural(len(result.broken), 'broken link')}.", file=sys.stderr)
        if any("the site's path" in broken.why for broken in result.broken):
            print(
                f"(Checked under {site.path}, the path of {site.base_url}; a site built with "
                "--base-url needs the same --base-url here.)",
                file=sys.stderr,
            )
        return 1
    print(
        f"Checked {plural(result.links, 'link')} in {plural(result.pages, 'page')} of {shown}/ "
        f"in {time.perf_counter() - started:.2f} s: all resolve "
        f"({result.external} external, not fetched).",
        file=sys.stderr,
    )
    return 0


def run_deploy(args: argparse.Namespace) -> int:
    from generator import deploy
    from generator.check import check_site

    try:
        target = deploy.prepare(args.site, args.remote, args.branch)
    except CuepressError as exc:
        report([exc.problem], "")
        print("Deploy refused; nothing was pushed.", file=sys.stderr)
        return 1
    started = time.perf_counter()
    try:
        result = build(args.site, strict=args.strict)
    except BuildFailed as failed:
        return report_failed(
            failed, "Deploy refused: the build failed with {errors}; nothing was pushed."
        )
    report(result.warnings, "warning: ")
    checked = check_site(result.output, result.site.base_url)
    shown = shown_path(result.output, args.site)
    if report_broken(checked, shown):
        print(
            f"Deploy refused: {plural(len(checked.broken), 'broken link')}; nothing was pushed.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Built {plural(len(result.episodes), 'episode')} and checked "
        f"{plural(checked.links, 'link')} in {time.perf_counter() - started:.2f} s.",
        file=sys.stderr,
    )
    try:
        published = deploy.publish(target, result.output, args.message)
    except CuepressError as exc:
        report([exc.problem], "")
        return 1
    where = f"the {target.branch} branch of {target.remote} ({target.remote_url})"
    if not published.pushed:
        print(
            f"{where[0].upper()}{where[1:]} already holds this site "
            f"(commit {published.commit[:12]}); nothing was pushed.",
            file=sys.stderr,
        )
        return 0
    print(
        f"Pushed {shown}/ ({plural(published.files, 'file')}) to {where} "
        f"as commit {published.commit[:12]}.",
        file=sys.stderr,
    )
    if published.first:
        print(
            "First deploy: in the repository's Settings > Pages, set Source to "
            f"'Deploy from a branch', branch {target.branch}, folder / (root).",
            file=sys.stderr,
        )
    return 0


def run_import(args: argparse.Namespace) -> int:
    from generator.importer import import_feed

    if args.jobs < 1 or args.timeout <= 0:
        print("cuepress import: --jobs and --timeout must be positive", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        result = import_feed(
            args.source, args.site, timeout=args.timeout, workers=args.jobs, show=args.show
        )
    except CuepressError as exc:
        report([exc.problem], "")
        print("Import failed; nothing was written.", file=sys.stderr)
        return 1
    report(in_order(result.problems.warnings), "warning: ")
    site = shown_path(args.site, Path("."))
    done = [f"{plural(len(result.added), 'new episode')}"]
    if result.updated:
        done.append(f"{len(result.updated)} updated")
    done.append(f"{plural(result.transcripts, 'transcript')}")
    print(
        f"Imported {', '.join(done)} from {args.source} into {site}/ "
        f"in {time.perf_counter() - started:.1f} s.",
        file=sys.stderr,
    )
    if result.kept:
        print(f"Kept {plural(len(result.kept), 'record')} you edited as they are.", file=sys.stderr)
    if result.site_keys:
        print(f"{result.settings}: set {', '.join(result.site_keys)}.", file=sys.stderr)
    if result.site_files:
        print(
            f"Added {', '.join(result.site_files)} (README.md says how to publish).",
            file=sys.stderr,
        )
    if result.created_site:
        print(
            f"Next: set base_url in {site}/site.yaml, then "
            f"`cuepress serve --site {site}` to preview it.",
            file=sys.stderr,
        )
    return 0


def shard_option(text: str) -> Shard:
    from generator.shards import Shard

    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_merge_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    merge_cmd = commands.add_parser(
        "merge",
        help="join the outputs of cuepress build --shard K/N into the whole site",
        description="Join the outputs of every shard (cuepress build --shard K/N, K = 1..N) "
        "into the site one build of the whole network makes: their files, and the network's "
        "pages, sitemap and search index, made from the site folder and the shards' files.",
    )
    merge_cmd.add_argument(
        "shards", type=Path, nargs="+", metavar="SHARD_DIR", help="each shard's output folder"
    )
    add_site_option(merge_cmd)
    merge_cmd.add_argument(
        "--output", type=Path, help="where to write the site (default: SITE/output)"
    )
    merge_cmd.add_argument("--strict", action="store_true", help="treat every warning as an error")
    merge_cmd.add_argument(
        "--base-url", help="the site's public URL (the one the shards were built with)"
    )
    merge_cmd.set_defaults(run=run_merge)


def run_merge(args: argparse.Namespace) -> int:
    from generator.merge import merge

    started = time.perf_counter()
    try:
        result = merge(
            args.site, args.shards, args.output, strict=args.strict, base_url=args.base_url
        )
    except BuildFailed as failed:
        return report_failed(failed, "Merge failed: {errors}; the output was not changed.")
    report(result.warnings, "warning: ")
    print(
        f"Merged {plural(len(args.shards), 'shard')} ({plural(len(result.episodes), 'episode')}, "
        f"{plural(result.files, 'file')}) into {result.output} "
        f"in {time.perf_counter() - started:.2f} s.",
        file=sys.stderr,
    )
    return 0


def shown_path(output: Path, site_dir: Path) -> str:
    """The output folder as the user knows it: relative to the site when inside it."""
    out, site = output.resolve(), site_dir.resolve()
    return out.relative_to(site).as_posix() if out.is_relative_to(site) else str(output)


def report_broken(result: CheckResult, shown: str) -> bool:
    """Print ``output/page:line: link -> why`` for each broken link; True if there were any."""
    for broken in result.broken:
        print(f"{shown}/{broken}", file=sys.stderr)
    return bool(result.broken)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report_failed(failed: BuildFailed, summary: str) -> int:
    """Print a failed build's warnings, then its errors, then ``summary`` (its ``{errors}``:
    how many); the exit status, 1."""
    report(failed.warnings, "warning: ")
    report(failed.errors, "")
    print(summary.format(errors=plural(len(failed.errors), "error")), file=sys.stderr)
    return 1


def report(problems: Iterable[Problem], kind: str) -> None:
    """Print ``path:line: [warning: ]message`` lines, the form editors can jump to (in one
    write: an archive's rebuild may repeat thousands of warnings)."""
    sys.stderr.write(
        "".join(
            f"{problem.path}:{problem.line}: {kind}{problem.message}\n"
            if problem.line
            else f"{problem.path}: {kind}{problem.message}\n"
            for problem in problems
        )
    )
