"""`cpo-xl lite DIR`: a ready xlwings Lite project, for Excel on the Mac and on the web.

Three files go into DIR: ``main.py``, every catalogue function with xlwings' ``@func``/``@arg`` decorators
written out (self-contained: it forwards to ``cpo_xl.excel``, which the wheel holds, so the Windows module
``udfs/cpo_udfs.py``, which the wheel does not hold, is not needed); ``requirements.txt``, xlwings, the packages
the functions import, and the cpo-xl wheel; and that wheel, built from this checkout (so the command needs one:
``pip install -e .``). Nothing in DIR changes until the wheel is built and checked; then each file is put in
place whole (a temporary file renamed over it). A main.py or requirements.txt that differs from what would be
written (edited by hand, or written for another version) is refused without --force, which keeps a .bak.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import cpo_xl
from cpo_xl.engine.errors import CpoError
from cpo_xl.excel.catalogue import CATALOGUE, lite_source
from cpo_xl.workbook.replace.atomic import put_in_place, remove_leftovers, temp_beside

# The third-party distributions the functions import, function-local imports included (tests/test_lite.py
# checks this against the import graph of cpo_xl.excel.functions and .blocks, so a new import fails a test).
IMPORTED = ("annotated-types", "numpy", "pandas", "pydantic", "scipy")
PYODIDE = 'sys_platform == "emscripten"'  # xlwings Lite's Python: Pyodide, compiled to WebAssembly
ELSEWHERE = 'sys_platform != "emscripten"'
SOURCES = ("pyproject.toml", "README.md")  # what setuptools reads besides the package (README: the long description)

HEADER = """\
# cpo-xl {version} for xlwings Lite: the requirements.txt tab. Written by `cpo-xl lite`; rerun it rather than
# editing. Keep any line xlwings Lite's own requirements.txt marks "# required".
xlwings=={xlwings}
# The packages the functions import. In xlwings Lite (Pyodide: sys_platform "emscripten") they are not pinned:
# Pyodide brings its own builds of numpy, pandas, pydantic and scipy, and the xlwings Lite docs ("Python
# Dependencies") say not to pin a package Pyodide provides. Elsewhere pip installs the versions cpo-xl was
# tested with (its requirements.lock), e.g. to check this folder on a PC.
"""
WHEEL_NOTE = """\
# cpo-xl itself: the wheel written beside this file. xlwings Lite runs in the browser and cannot read a file on
# disk: upload the wheel to a URL that allows cross-origin requests (CORS), e.g. GitHub Pages or
# raw.githubusercontent.com (GitHub release downloads do not allow them), and put that URL on the next line
# (or rerun `cpo-xl lite` with --wheel-url).
"""
URL_NOTE = "# cpo-xl itself: the wheel written beside this file, served from this URL (it must allow CORS).\n"


def canonical(name: str) -> str:
    """A distribution name as package indexes compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def source_root() -> Path:
    """The checkout this cpo-xl runs from: the wheel is built from it and the versions read from its lock."""
    root = Path(cpo_xl.__file__).resolve().parents[1]
    for name in (*SOURCES, "requirements.lock"):
        if not (root / name).is_file():
            raise CpoError(f"cpo-xl lite builds the wheel from a cpo-xl checkout, and {root} has no {name} (this "
                           "cpo-xl was installed from a wheel); run it from a checkout installed with pip install -e .")
    return root


def project_version(root: Path) -> str:
    return str(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def locked(root: Path) -> dict[str, str]:
    """requirements.lock as {canonical name: version}."""
    pins = {}
    for line in (root / "requirements.lock").read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#", 1)[0].partition("==")
        if sep:
            pins[canonical(name.strip())] = version.strip()
    return pins


def wheel_reference(url: str | None, wheel_name: str) -> str:
    """The requirements line of the wheel: a path beside requirements.txt (pip reads it from the folder), or the
    https URL it will be served from (--wheel-url: the file's URL, or its folder's)."""
    if url is None:
        return f"./{wheel_name}"
    if not url.startswith("https://") or any(c.isspace() or c in "#;" for c in url):
        raise CpoError(f"--wheel-url {url!r}: expected an https:// URL (xlwings Lite runs in a page served over "
                       "https), without spaces, # or ;")
    if url.endswith(".whl"):
        if url.rsplit("/", 1)[-1] != wheel_name:
            raise CpoError(f"--wheel-url {url!r}: the file must keep the wheel's name, {wheel_name} (the installer "
                           "reads the package and version from it)")
        return url
    return f"{url.rstrip('/')}/{wheel_name}"


def requirements_text(version: str, pins: dict[str, str], wheel_line: str, url: bool) -> str:
    """requirements.txt: xlwings and the imported packages at the lock's versions (off Pyodide), the wheel."""
    missing = [name for name in ("xlwings", *IMPORTED) if canonical(name) not in pins]
    if missing:
        raise CpoError(f"requirements.lock: no version of {missing[0]}, which the functions need; refresh the lock "
                       "(bash scripts/refresh_lock.sh)")
    lines = [HEADER.format(version=version, xlwings=pins["xlwings"])]
    for name in IMPORTED:
        lines.append(f"{name}; {PYODIDE}\n{name}=={pins[canonical(name)]}; {ELSEWHERE}\n")
    lines.append((URL_NOTE if url else WHEEL_NOTE) + wheel_line + "\n")
    return "".join(lines)


def build_wheel(root: Path, work: Path) -> Path:
    """The wheel of the checkout, built by pip from a copy of its sources (the checkout gets no build/ folder)."""
    source, out = work / "source", work / "wheel"
    shutil.copytree(root / "cpo_xl", source / "cpo_xl", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in SOURCES:
        shutil.copy2(root / name, source / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
               "--wheel-dir", str(out), str(source)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CpoError(f"building the cpo-xl wheel failed: {exc}") from None
    wheels = sorted(out.glob("*.whl")) if out.is_dir() else []
    if done.returncode or len(wheels) != 1:
        said = [line for line in done.stderr.splitlines() if line.strip() and "Location" not in line]
        raise CpoError(f"building the cpo-xl wheel failed (pip wheel, exit {done.returncode}): "
                       f"{said[-1].strip() if said else 'no wheel written'}")
    return wheels[0]


def check_wheel(wheel: Path, root: Path, wheel_name: str) -> None:
    """The wheel has the expected name and every file of the package, the engine's data (TOML) included."""
    if wheel.name != wheel_name:
        raise CpoError(f"the wheel built is {wheel.name}, expected {wheel_name} (a pure-Python wheel of this version)")
    package = root / "cpo_xl"
    expected = {p.relative_to(root).as_posix() for p in package.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    with zipfile.ZipFile(wheel) as archive:
        missing = sorted(expected - set(archive.namelist()))
    if missing:
        raise CpoError(f"{wheel_name}: lacks {missing[0]}" + (f" and {len(missing) - 1} more files" if len(missing) > 1
                                                              else "") + " (see [tool.setuptools] in pyproject.toml)")


def must_replace(target: Path, text: str, force: bool) -> bool:
    """True when ``target`` holds something else that --force lets go (a .bak keeps it); a refusal without it."""
    if not target.exists() and not target.is_symlink():
        return False
    if not target.is_file():
        raise CpoError(f"{target}: is not a regular file; choose another DIR")
    wanted = text.encode("utf-8")
    with open(target, "rb") as handle:
        same = handle.read(len(wanted) + 1) == wanted
    if same:
        return False
    if not force:
        raise CpoError(f"{target}: differs from what cpo-xl lite writes (edited by hand, or written for another "
                       "version); write to another DIR, or --force (keeps a .bak)")
    return True


def put(target: Path, data: bytes) -> None:
    """``data`` into ``target`` whole: a temporary file beside it, renamed over it."""
    with temp_beside(target, target.suffix) as tmp:
        tmp.write_bytes(data)
        put_in_place(tmp, target)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise CpoError(f"{folder}: is not a folder; DIR names the folder to write the xlwings Lite project into")
    root = source_root()
    version = project_version(root)
    wheel_name = f"cpo_xl-{version}-py3-none-any.whl"
    line = wheel_reference(args.wheel_url, wheel_name)
    texts = {"main.py": lite_source(version),
             "requirements.txt": requirements_text(version, locked(root), line, args.wheel_url is not None)}
    replaced = [name for name, text in texts.items() if must_replace(folder / name, text, args.force)]
    with tempfile.TemporaryDirectory(prefix="cpo-xl-lite-") as work:
        wheel = build_wheel(root, Path(work))
        check_wheel(wheel, root, wheel_name)
        folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(folder)
        put(folder / wheel_name, wheel.read_bytes())
    kept = []
    if replaced:
        from cpo_xl.workbook.replace.replace import keep_backup
        kept = [keep_backup(folder / name).name for name in replaced]
    for name, text in texts.items():
        put(folder / name, text.encode("utf-8"))
    print(f"wrote {folder}: main.py ({len(CATALOGUE)} functions), requirements.txt, {wheel_name}"
          + (f"; the files replaced are kept as {', '.join(kept)}" if kept else ""))
    where = line if args.wheel_url else "a URL that allows cross-origin requests and put it in requirements.txt"
    print(f"next: upload {wheel_name} to {where}; then paste main.py and requirements.txt into xlwings Lite's tabs")
    return 0
