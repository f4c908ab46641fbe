"""The Python the learners' servers and kernels run, when they run as their own accounts.

Every learner must be able to reach the course (its notebooks and nnlib) and the Python of its
environment. A virtual environment made from a Python under a private folder (pyenv or conda in
``/root``, mode 0700) is not runnable by anyone else. Then, where ``/usr/bin/python3`` is the same
Python version, the hub makes a small environment of its own from it (``STATE/python``, no
packages of its own: it reads the course environment's, which others can read), and the
learners run that. Otherwise the hub refuses to start, saying which folder is in the way.
"""

import os
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

SYSTEM_PYTHON = Path("/usr/bin/python3")


def blocker(path):
    """The first folder on the way to ``path`` (links followed) that other users cannot pass,
    or ``path`` itself if they cannot pass it (a folder) or read it (a file); None if every user
    can reach it."""
    path = Path(os.path.realpath(path))
    for folder in reversed(path.parents):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder
    mode = os.stat(path).st_mode
    return None if mode & (stat.S_IXOTH if stat.S_ISDIR(mode) else stat.S_IROTH) else path


def learner_python(state, root):
    """The path of a Python every learner can run with the course environment's packages (this
    one's, or one made in ``STATE/python``). Raises ``RuntimeError`` saying what to change."""
    packages = sysconfig.get_paths()["purelib"]
    for what, path in (("the course", root), ("the course's packages", packages)):
        if blocker(path):
            raise RuntimeError(f"learners cannot reach {what} ({path}): {blocker(path)} is not "
                               "open to other users; put the course where they can read it "
                               "(e.g. /opt or /srv) or make that folder traversable (chmod o+x)")
    stdlib = sysconfig.get_paths()["stdlib"]
    if not (blocker(sys.executable) or blocker(stdlib)):
        return sys.executable
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    ours = None
    if SYSTEM_PYTHON.exists():
        ours = subprocess.run([str(SYSTEM_PYTHON), "-c", "import sys; print('%d.%d' % "
                               "sys.version_info[:2])"], capture_output=True, text=True)
        ours = ours.stdout.strip()
    if ours != version or blocker(SYSTEM_PYTHON):
        raise RuntimeError(f"learners cannot run this Python ({sys.executable}: "
                           f"{blocker(sys.executable) or blocker(stdlib)} is not open to other "
                           f"users) and {SYSTEM_PYTHON} is not Python {version}: make the course "
                           "environment from a Python every user can run (PYTHON=... make hub)")
    env_dir = Path(state) / "python"
    python = env_dir / "bin" / "python"
    pth = env_dir / "lib" / f"python{version}" / "site-packages" / "nncourse-environment.pth"
    if not python.exists():
        subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(env_dir)],
                       check=True, capture_output=True)
    for sub in ("share/jupyter", "etc/jupyter"):   # JupyterLab's assets, settings, kernels
        link, target = env_dir / sub, Path(sys.prefix) / sub
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink() and target.exists():
            link.symlink_to(target)
    pth.write_text(f"import site; site.addsitedir({packages!r})\n")
    script = env_dir / "bin" / "nncourse"     # the learner's terminal finds the course's CLI
    script.write_text(f"#!{python}\nimport sys\nfrom nncourse.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    for p in [env_dir, *env_dir.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if p.is_dir() else 0))
    return str(python)
