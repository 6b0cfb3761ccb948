"""Target environments: ``--target TAG@X.Y``, platform tag checks, markers.

:func:`parse_target` turns ``manylinux_2_28_x86_64@3.12`` into a
:class:`~cglib.selection.Target` (CPython 3.12 on that platform).
:func:`check_platform_tag` refuses a tag no installer would ever match,
with the spelling the user most likely meant (``amd64`` -> ``x86_64``), so a
typo is a usage error instead of a silent fall-back to an sdist.
:func:`marker_environment` gives the PEP 508 marker values of a target as
that target would evaluate them: a Windows target has ``sys_platform ==
"win32"`` on any host.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cglib.errors import UsageError
from cglib.selection import Target

__all__ = [
    "check_platform_tag",
    "check_platforms",
    "marker_environment",
    "parse_target",
]

#: Architectures of Linux wheels (PEP 599 / 600 / 656 and what is uploaded).
LINUX_ARCHES = frozenset(
    {
        "x86_64",
        "i686",
        "aarch64",
        "armv7l",
        "armv6l",
        "ppc64",
        "ppc64le",
        "s390x",
        "riscv64",
        "loongarch64",
    }
)
#: Architectures of macOS wheels (``packaging.tags.mac_platforms``).
MAC_ARCHES = frozenset(
    {"x86_64", "arm64", "universal2", "universal", "intel", "fat", "fat3", "fat32", "fat64", "i386"}
)
WINDOWS_TAGS = frozenset({"win32", "win_amd64", "win_arm64"})
#: Spellings of architectures that installers never use, and the right one
#: (per family: ``arm64`` is macOS's and Windows' word, ``aarch64`` Linux's).
_LINUX_ALIASES = {
    "amd64": "x86_64",
    "x64": "x86_64",
    "x86": "i686",
    "i386": "i686",
    "i586": "i686",
    "x86_32": "i686",
    "arm64": "aarch64",
    "armv8": "aarch64",
    "armhf": "armv7l",
    "armv7": "armv7l",
    "ppc64el": "ppc64le",
    "riscv": "riscv64",
}
_MAC_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64", "arm": "arm64"}
_WINDOWS_ALIASES = {
    "win64": "win_amd64",
    "win_x86_64": "win_amd64",
    "win_x64": "win_amd64",
    "windows": "win_amd64",
    "win_aarch64": "win_arm64",
    "win_x86": "win32",
    "win_i686": "win32",
    "win_386": "win32",
    "win_386_64": "win_amd64",
}
_EXAMPLES = "manylinux_2_28_x86_64, musllinux_1_2_aarch64, macosx_14_0_arm64 or win_amd64"


def _bad(tag: str, suggestion: str | None, why: str = "") -> UsageError:
    message = f"unknown platform tag {tag!r}" + (f": {why}" if why else "")
    if suggestion:
        return UsageError(message, hint=f"did you mean {suggestion}?")
    return UsageError(message, hint=f"use a wheel platform tag such as {_EXAMPLES}")


def _fix_arch(arch: str, known: frozenset[str], aliases: dict[str, str]) -> str | None:
    if arch in known:
        return arch
    if arch in aliases:
        return aliases[arch]
    import difflib

    close = difflib.get_close_matches(arch, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def check_platform_tag(tag: str) -> str:
    """Return ``tag`` (lower-cased) when installers know it; else raise
    :class:`UsageError` suggesting the likely spelling."""
    raw = tag.strip()
    low = raw.lower().replace("-", "_").replace(".", "_")
    if not re.fullmatch(r"[a-z0-9_]{1,200}", low):
        raise _bad(raw, None, "not a wheel platform tag")
    if low == "any":
        return low
    # manylinux (PEP 600 and the legacy names), musllinux (PEP 656).
    match = re.fullmatch(r"(manylinux|musllinux)_?(\d+)_(\d+)(?:_(\w+))?", low)
    if match:
        family, major, minor, arch = match[1], match[2], match[3], match[4]
        head = f"{family}_{major}_{minor}"
        if arch is None:
            raise _bad(raw, f"{head}_x86_64 or {head}_aarch64", "no architecture")
        fixed = _fix_arch(arch, LINUX_ARCHES, _LINUX_ALIASES)
        if fixed != arch or low != f"{head}_{arch}":
            raise _bad(raw, f"{head}_{fixed}" if fixed else None, f"architecture {arch!r}")
        return low
    match = re.fullmatch(r"(manylinux(?:1|2010|2014))(?:_(\w+))?", low)
    if match:
        family, arch = match[1], match[2]
        if arch is None:
            raise _bad(raw, f"{family}_x86_64", "no architecture")
        fixed = _fix_arch(arch, LINUX_ARCHES, _LINUX_ALIASES)
        if fixed != arch:
            raise _bad(raw, f"{family}_{fixed}" if fixed else None, f"architecture {arch!r}")
        return low
    match = re.fullmatch(r"linux_(\w+)", low)
    if match:
        arch = match[1]
        fixed = _fix_arch(arch, LINUX_ARCHES, _LINUX_ALIASES)
        if fixed != arch:
            raise _bad(raw, f"linux_{fixed}" if fixed else None, f"architecture {arch!r}")
        return low
    match = re.fullmatch(r"macosx_(\d+)(?:_(\d+))?_(\w+)", low)
    if match:
        major, minor, arch = match[1], match[2], match[3]
        fixed = _fix_arch(arch, MAC_ARCHES, _MAC_ALIASES)
        if minor is None or fixed != arch:
            good = f"macosx_{major}_{minor or 0}_{fixed}" if fixed else None
            why = "macOS tags have a minor version" if minor is None else f"architecture {arch!r}"
            raise _bad(raw, good, why)
        return low
    if low.startswith("mac") or low.startswith("darwin") or low.startswith("osx"):
        raise _bad(raw, "macosx_14_0_arm64 or macosx_11_0_x86_64", "macOS tags are macosx_X_Y_ARCH")
    if low in WINDOWS_TAGS:
        return low
    if low in _WINDOWS_ALIASES:
        raise _bad(raw, _WINDOWS_ALIASES[low])
    if low.startswith("win"):
        raise _bad(raw, "win_amd64, win_arm64 or win32")
    if re.fullmatch(r"(android_\d+_\w+|ios_\d+_\d+_\w+)", low):
        return low
    match = re.fullmatch(r"(?:linux|manylinux|musllinux)?_?(\w+)", low)
    if match and match[1] in _LINUX_ALIASES | {a: a for a in LINUX_ARCHES}:
        arch = _LINUX_ALIASES.get(match[1], match[1])
        raise _bad(raw, f"manylinux_2_28_{arch}", "a platform tag names the system too")
    raise _bad(raw, None)


def check_platforms(platforms: Sequence[str]) -> list[str]:
    """:func:`check_platform_tag` on each ``--platform`` value."""
    return [check_platform_tag(p) for p in platforms]


def parse_target(spec: str) -> Target:
    """``TAG@X.Y`` -> a CPython ``X.Y`` target on platform ``TAG``."""
    tag, at, version = spec.strip().rpartition("@")
    if not at or not tag or not version:
        raise UsageError(
            f"not a target: {spec!r}",
            hint="write --target TAG@X.Y (a platform tag and a Python version), "
            "e.g. --target manylinux_2_28_x86_64@3.12",
        )
    check_platform_tag(tag)
    return Target.from_options(platforms=[tag], python_version=version, implementation="cp")


_IMPLEMENTATIONS = {"cp": "cpython", "pp": "pypy", "gp": "graalpy", "ip": "ironpython"}
_PLATFORM_PYTHON = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalVM"}
_WINDOWS_MACHINES = {"win_amd64": "AMD64", "win32": "x86", "win_arm64": "ARM64"}


def marker_environment(target: Target) -> dict[str, str]:
    """The PEP 508 marker environment of ``target``, as it would see itself.

    The default target is this interpreter (``packaging``'s
    ``default_environment()``).  For a described target, each value comes
    from the target: operating system and machine from its first platform
    tag (this machine's when it names none), Python version and
    implementation from its options (this interpreter's when not given);
    ``platform_release`` and ``platform_version`` (kernel build strings no
    tag can tell) are empty when the platform is foreign."""
    from packaging.markers import default_environment

    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    if target.is_default:
        return env
    if target.python_version is not None:
        full = str(target.python_full_version())
        env["python_version"] = ".".join(str(p) for p in target.python_version[:2])
        env["python_full_version"] = full
    impl = target.implementation
    if impl is not None:
        name = _IMPLEMENTATIONS.get(impl, impl)
        env["implementation_name"] = name
        env["platform_python_implementation"] = _PLATFORM_PYTHON.get(name, name)
    if env["implementation_name"] == "cpython":
        # CPython's implementation_version is its Python version.
        env["implementation_version"] = env["python_full_version"]
    elif impl is not None:
        env["implementation_version"] = ""  # another interpreter's own version: unknown
    if target.platforms:
        platform = platform_markers(target.platforms[0])
        if platform:
            env.update(platform)
            env["platform_release"] = ""
            env["platform_version"] = ""
    return env


def platform_markers(tag: str) -> dict[str, str]:
    """``sys_platform``, ``platform_system``, ``os_name`` and
    ``platform_machine`` of a machine of platform tag ``tag`` (empty for
    ``any`` or an unknown tag)."""
    low = tag.strip().lower()
    linux = re.fullmatch(r"(?:many|musl)?linux(?:1|2010|2014|_\d+_\d+)?_(\w+)", low)
    if linux:
        return {
            "sys_platform": "linux",
            "platform_system": "Linux",
            "os_name": "posix",
            "platform_machine": linux[1],
        }
    mac = re.fullmatch(r"macosx_\d+_\d+_(\w+)", low)
    if mac:
        arch = mac[1]
        machine = "x86_64" if arch in ("x86_64", "intel", "universal", "fat64") else arch
        if arch == "universal2":
            machine = "arm64"
        return {
            "sys_platform": "darwin",
            "platform_system": "Darwin",
            "os_name": "posix",
            "platform_machine": machine,
        }
    if low in _WINDOWS_MACHINES:
        return {
            "sys_platform": "win32",
            "platform_system": "Windows",
            "os_name": "nt",
            "platform_machine": _WINDOWS_MACHINES[low],
        }
    android = re.fullmatch(r"android_\d+_(\w+)", low)
    if android:
        return {
            "sys_platform": "android",
            "platform_system": "Android",
            "os_name": "posix",
            "platform_machine": android[1],
        }
    ios = re.fullmatch(r"ios_\d+_\d+_(\w+?)_(iphoneos|iphonesimulator)", low)
    if ios:
        return {
            "sys_platform": "ios",
            "platform_system": "iOS",
            "os_name": "posix",
            "platform_machine": ios[1],
        }
    return {}
