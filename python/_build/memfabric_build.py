"""The PEP 517 build backend of memfabric's Python package, in the source tree so that ``pip install ./python``
needs nothing from a package index (a fresh virtual environment has no setuptools to build with).

The wheel holds the package (src/memfabric) and, under memfabric/_native, the native build of the repository:
libmemfabric.so, the jars it starts its JVM with (lib/) and the C headers (include/). They come from
``$MEMFABRIC_NATIVE_DIR``, else ../memfabric-native/target; when that has no library, ``bin/build-native`` builds it
first (Maven, a JDK 25). The wheel is tagged for this platform (it carries a shared library).
"""

import base64
import hashlib
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

NAME = "memfabric"
VERSION = "0.1.0"
HERE = Path(__file__).resolve().parent.parent


def _native_dir():
    explicit = os.environ.get("MEMFABRIC_NATIVE_DIR")
    if explicit:
        return Path(explicit)
    return HERE.parent / "memfabric-native" / "target"


def _ensure_native():
    native = _native_dir()
    if (native / "libmemfabric.so").exists() and any((native / "lib").glob("*.jar")):
        return native
    builder = HERE.parent / "bin" / "build-native"
    if "MEMFABRIC_NATIVE_DIR" in os.environ or not builder.exists():
        raise RuntimeError(f"no libmemfabric.so and jars in {native}: build them first (bin/build-native in the "
                           "repository), or point MEMFABRIC_NATIVE_DIR at a build")
    print(f"memfabric: {native} has no build; running {builder} (Maven, first time: a few minutes)", file=sys.stderr)
    subprocess.run([str(builder)], check=True, stdout=sys.stderr)
    return native


def _tag():
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{platform}"


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _files(native):
    files = {}
    package = HERE / "src" / NAME
    for source in sorted(package.rglob("*.py")):
        files[f"{NAME}/{source.relative_to(package).as_posix()}"] = source.read_bytes()
    files[f"{NAME}/_native/libmemfabric.so"] = (native / "libmemfabric.so").read_bytes()
    for jar in sorted((native / "lib").glob("*.jar")):
        files[f"{NAME}/_native/lib/{jar.name}"] = jar.read_bytes()
    include = native / "include"
    for header in sorted(include.rglob("*.h")):
        files[f"{NAME}/_native/include/{header.relative_to(include).as_posix()}"] = header.read_bytes()
    return files


def _metadata():
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\nSummary: One global address space over the "
            "memory of many processes, and a transfer engine (libmemfabric.so via ctypes)\nRequires-Python: >=3.8\n"
            ).encode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = Path(metadata_directory) / f"{NAME}-{VERSION}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_bytes(_metadata())
    return dist_info.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    native = _ensure_native()
    tag = _tag()
    dist_info = f"{NAME}-{VERSION}.dist-info"
    files = _files(native)
    files[f"{dist_info}/METADATA"] = _metadata()
    files[f"{dist_info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: memfabric_build\nRoot-Is-Purelib: false\n"
                                   f"Tag: {tag}\n").encode()
    record = [_record_line(path, data) for path, data in files.items()] + [f"{dist_info}/RECORD,,"]
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    name = f"{NAME}-{VERSION}-{tag}.whl"
    with zipfile.ZipFile(Path(wheel_directory) / name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if path.endswith(".so") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return name
