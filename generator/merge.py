"""``cuepress merge SHARD_DIR...``: the outputs of ``cuepress build --shard K/N`` (K = 1..N)
joined into the site one ``cuepress build`` of the whole network makes, byte for byte.

The merge reads the site's settings, people, layouts and ``static/`` (never a record or a
transcript), and each shard's manifest (:mod:`generator.shards`). It takes the shards' files
as they are and makes what spans the shows with the build's own stages: the network's pages,
the sitemap (:func:`generator.build.whole_site_files`), the theme's assets and ``static/``
(:func:`generator.build.gather_copies`), and the search page and its Pagefind index from the
shards' transcript files (:func:`generator.search.search_files`). It publishes through the
writer, as a build does: a failed merge leaves the last good output untouched.
"""

from __future__ import annotations

from pathlib import Path

from generator import __version__, build, related
from generator.errors import Problems, in_order
from generator.models import Episode
from generator.shards import MANIFEST, Manifest, read_manifest, settings_key
from generator.writer import Publisher, locked

AGAIN = "build every shard from one commit with one version of Cuepress, and merge them all"


def merge(
    site_dir: Path,
    shard_dirs: list[Path],
    output: Path | None = None,
    *,
    strict: bool = False,
    base_url: str | None = None,
) -> build.BuildResult:
    """Join the shard outputs in ``shard_dirs`` into ``output`` (default ``site_dir/output``).
    Raises :class:`generator.errors.BuildFailed` with every error found; the old output is
    then untouched."""
    output = output if output is not None else site_dir / "output"
    problems = Problems()
    site = build.load_config(site_dir, output, base_url, problems, strict)
    shows = build.load_shows(site_dir, site, problems, strict)
    if not site.network:
        problems.error(
            "site.yaml", None, "cuepress merge joins the shards of a network of shows; this "
            "site has one show (content/episodes/): build it whole"
        )  # fmt: skip
    manifests = read_all(shard_dirs, output, problems)
    problems.raise_if_failed(strict=strict)
    with (
        locked(site_dir, output.resolve().parent),
        build.open_cache(site_dir, problems, strict) as cache,
    ):
        renderer = build.renderers(site, shows, site_dir, cache)[0]
        drafts = manifests[0].drafts
        key = settings_key(build.build_key(site, renderer, drafts), shows)
        check_together(manifests, key, [show.show for show in shows], problems)
        problems.raise_if_failed(strict=strict)
        files = shard_files(manifests, problems)
        episodes = every_episode(manifests, [show.show for show in shows])
        copies = build.gather_copies(site_dir, cache, problems)
        build.overwrites(files, copies, problems)
        problems.raise_if_failed(strict=strict)
        with Publisher(output, cache.room("back")) as publisher:
            publisher.start({**copies, **files})
            made = build.whole_site_files(
                site, list(shows), episodes, renderer, site_dir, list(files), problems
            )
            pages: dict[str, bytes | Path] = {p: text.encode() for p, text in made.items()}
            if site.search:  # the search page and its Pagefind index, as a build makes them
                from generator import search

                pages |= search.search_files(site, episodes, renderer, files, problems)
            build.overwrites(pages, copies, problems)
            problems.raise_if_failed(strict=strict)
            everything: dict[str, bytes | Path] = {**copies, **files, **pages}
            changed = publisher.publish(everything)
    return build.BuildResult(
        site=site,
        episodes=tuple(episodes),
        files=len(everything),
        output=output,
        warnings=tuple(in_order(problems.warnings)),
        changed=changed,
    )


def read_all(shard_dirs: list[Path], output: Path, problems: Problems) -> list[Manifest]:
    """Each shard folder's manifest; a folder that is no shard's output (or is the merge's
    output) is an error naming it."""
    manifests = []
    if not shard_dirs:
        problems.error(".", None, "no shard folders given (cuepress merge SHARD_DIR...)")
    for folder in shard_dirs:
        if folder.resolve() == output.resolve():
            problems.error(
                folder, None, "is the merge's output folder too (choose another --output)"
            )
            continue
        if not folder.is_dir():
            problems.error(folder, None, "no such folder (a shard's output was expected)")
            continue
        try:
            manifests.append(read_manifest(folder))
        except ValueError as exc:
            problems.error(folder, None, str(exc))
    return manifests


def check_together(
    manifests: list[Manifest], key: str, shows: list[str], problems: Problems
) -> None:
    """The shards must be every share, once, of one build of this site: one count N, each K
    once, all made by this Cuepress with this site's settings, holding together exactly its
    shows. Each problem names a shard folder."""
    if not manifests:
        return
    first = manifests[0]
    count = first.shard.count
    seen: dict[int, Manifest] = {}
    for m in manifests:
        if m.cuepress != __version__:
            problems.error(
                m.folder, None,
                f"was built by Cuepress {m.cuepress}, and this is Cuepress {__version__}; {AGAIN}",
            )  # fmt: skip
            continue
        if m.shard.count != count:
            problems.error(
                m.folder, None,
                f"is shard {m.shard} and {first.folder} is shard {first.shard}: shards of "
                f"different counts do not merge; {AGAIN}",
            )  # fmt: skip
            continue
        if m.shard.number in seen:
            problems.error(
                m.folder, None,
                f"is shard {m.shard}, which {seen[m.shard.number].folder} is too: give each "
                "shard once",
            )  # fmt: skip
            continue
        seen[m.shard.number] = m
        if m.drafts != first.drafts:
            problems.error(
                m.folder, None,
                f"was built {'with' if m.drafts else 'without'} --drafts, and {first.folder} "
                f"{'with' if first.drafts else 'without'}; {AGAIN}",
            )  # fmt: skip
        elif m.key != key:
            problems.error(
                m.folder, None,
                "was built with other settings than this site has now (site.yaml, a show.yaml, "
                f"the layouts, --base-url, or Python's or a library's version differ); {AGAIN}",
            )  # fmt: skip
    missing = [n for n in range(1, count + 1) if n not in seen]
    if missing and not problems.errors:
        named = ", ".join(f"{n}/{count}" for n in missing)
        problems.error(
            first.folder, None,
            f"is shard {first.shard}, and no folder given holds shard "
            f"{named}: give the output of every shard",
        )  # fmt: skip
    if problems.errors:
        return
    held = {show: m for m in manifests for show in m.shows}
    for show in shows:
        if show not in held:
            problems.error(
                first.folder, None,
                f"no shard holds the show {show}/ (was it added after the shards were built?); "
                f"{AGAIN}",
            )  # fmt: skip
    for m in manifests:
        for show in m.shows:
            if show not in shows:
                problems.error(
                    m.folder, None,
                    f"holds the show {show}/, which this site does not have; {AGAIN}",
                )  # fmt: skip


def shard_files(manifests: list[Manifest], problems: Problems) -> dict[str, Path]:
    """Every shard's files, by path in the site; a file in two shards, or listed by a
    manifest and missing, is an error naming the folders."""
    files: dict[str, Path] = {}
    owner: dict[str, Path] = {}
    for m in manifests:
        for name in m.files:
            path = m.folder / name
            if name in owner:
                problems.error(
                    m.folder, None,
                    f"holds {name}, and so does {owner[name]}: shards must not overlap; {AGAIN}",
                )  # fmt: skip
                continue
            if not path.is_file():
                problems.error(
                    m.folder, None,
                    f"is incomplete: {name}, listed in its {MANIFEST}, is missing (copy or "
                    "download the shard's whole output)",
                )  # fmt: skip
                continue
            owner[name] = m.folder
            files[name] = path
    return files


def every_episode(manifests: list[Manifest], shows: list[str]) -> list[Episode]:
    """Every shard's episodes, newest first, as the whole build lists them: equal by date,
    number and slug, in the order of their shows (the records' order)."""
    order = {show: n for n, show in enumerate(shows)}
    episodes = sorted(
        (e for m in manifests for e in m.episodes), key=lambda e: order.get(e.show, len(order))
    )
    episodes.sort(key=related.recency, reverse=True)
    return episodes
