"""The README's "Use" examples run as written, one after another, against a demo library in a temp folder.

The files the examples name (材料/, 合集.zip, 往年讲话.docx, 草稿.docx, 草稿.txt) are a user's own: the test
writes them from the bundled demo documents and text of its own. Only the line that starts a server is
skipped (it would not return)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from sucai.demo_setup import DEMO_DIR, build_demo

README = Path(__file__).resolve().parents[1] / "README.md"
NEEDS_A_SERVER = ("sucai serve", "sucai demo")
DRAFT = ("同志们：\n一、提高政治站位\n要坚持以学铸魂、以学增智、以学正风、以学促干，推动主题教育走深走实。\n"
         "三、狠抓工作落实\n")


def use_examples() -> list[str]:
    """The command lines of the README's "Use" block, comments removed."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Use\n+```bash\n(.*?)```", text, re.S)
    assert block, "README.md has a Use section with a bash block"
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _docx(path: Path, text: str) -> None:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))


def _users_files(folder: Path) -> None:
    """What the README supposes the user has: a folder, a zip, a Word file, drafts."""
    demo = sorted(p for p in DEMO_DIR.iterdir() if p.is_file())
    (folder / "材料").mkdir()
    for path in demo[:3]:
        shutil.copy(path, folder / "材料" / path.name)
    with zipfile.ZipFile(folder / "合集.zip", "w") as zf:
        for path in demo[3:]:
            zf.write(path, path.name)
    _docx(folder / "往年讲话.docx", "在全县经济工作会议上的讲话\n同志们：\n今年以来，我们坚持稳中求进工作总基调。")
    _docx(folder / "草稿.docx", DRAFT)
    (folder / "草稿.txt").write_text(DRAFT, encoding="utf-8")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    build_demo(str(folder / "library.db"))
    _users_files(folder)
    return folder


def test_the_use_section_has_examples() -> None:
    examples = use_examples()
    assert len(examples) >= 10
    assert all(line.startswith(("sucai ", "export ", "printf ")) for line in examples)


def test_every_example_runs_as_written(workdir: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("SUCAI_DB", None)
    ran = 0
    for line in use_examples():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
            continue
        if any(command in line for command in NEEDS_A_SERVER):
            continue
        result = subprocess.run(["bash", "-c", f"set -o pipefail; {line}"], cwd=workdir, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, line
        ran += 1
    assert ran >= 10
    assert (workdir / "讲话.docx").is_file()  # the export example wrote it; trace read it back
