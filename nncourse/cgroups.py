"""Child cgroups with memory, process and CPU limits: the one shared helper for every limit the
course puts on a group of processes (a grading sandbox, a learner's server on the workshop hub).

A :class:`Cgroup` is made under ``/sys/fs/cgroup`` (cgroup v2, or the v1 ``memory``, ``pids``
and ``cpu`` hierarchies) by a process allowed to, in practice root. Where it cannot be made,
:meth:`Cgroup.create` returns an inactive group (``active`` is False) and the caller falls back
on its own limits (rlimits). Usage::

    group = Cgroup.create("nncourse-alice", memory_bytes=2 << 30, processes=64, cpus=1.0)
    group.add(pid)            # or pass group.procs to a child that joins before it execs
    group.memory_peak(), group.hit_memory_limit()
    group.kill(); group.remove()
"""

import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000


class Cgroup:
    """One child cgroup (v2: one folder; v1: one per controller) and the limits written to it."""

    def __init__(self):
        self.dirs, self.procs = [], []   # folders made, and their cgroup.procs files
        self.version = None

    @classmethod
    def create(cls, name, memory_bytes=None, processes=None, cpus=None, root=ROOT):
        """A new cgroup ``name`` with at most ``memory_bytes`` of memory (no swap),
        ``processes`` processes and ``cpus`` CPUs' worth of time (1.5: one and a half); any
        limit left None is not set. Inactive (no folder left behind) where it cannot be made."""
        group = cls()
        if not sys.platform.startswith("linux") or os.geteuid() != 0:
            return group
        root = Path(root)
        try:
            if (root / "cgroup.controllers").exists():
                group._create_v2(root, name, memory_bytes, processes, cpus)
            elif (root / "memory").is_dir() and (root / "pids").is_dir():
                group._create_v1(root, name, memory_bytes, processes, cpus)
        except OSError:
            group.remove()
            group.dirs, group.procs, group.version = [], [], None
        return group

    def _create_v2(self, root, name, memory_bytes, processes, cpus):
        self.version = 2
        d = root / name
        d.mkdir()
        self.dirs.append(d)
        if memory_bytes is not None:
            (d / "memory.max").write_text(str(memory_bytes))
            if (d / "memory.swap.max").exists():
                (d / "memory.swap.max").write_text("0")
        if processes is not None:
            (d / "pids.max").write_text(str(processes))
        if cpus is not None:
            (d / "cpu.max").write_text(f"{int(cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
        self.procs.append(str(d / "cgroup.procs"))

    def _create_v1(self, root, name, memory_bytes, processes, cpus):
        self.version = 1
        controllers = ["memory", "pids"] + (["cpu"] if cpus is not None else [])
        for controller in controllers:
            d = root / controller / name
            d.mkdir()
            self.dirs.append(d)
            self.procs.append(str(d / "cgroup.procs"))
        if memory_bytes is not None:
            memory = root / "memory" / name
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory_bytes))
        if processes is not None:
            (root / "pids" / name / "pids.max").write_text(str(processes))
        if cpus is not None:
            cpu = root / "cpu" / name
            (cpu / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            (cpu / "cpu.cfs_quota_us").write_text(str(int(cpus * CPU_PERIOD_US)))

    @property
    def active(self):
        return bool(self.procs)

    def add(self, pid):
        """Move process ``pid`` (and, from then on, its children) into the group."""
        for procs in self.procs:
            with open(procs, "w") as f:
                f.write(str(pid))

    def pids(self):
        """The processes in the group now."""
        found = set()
        for procs in self.procs:
            try:
                found.update(int(p) for p in Path(procs).read_text().split())
            except OSError:
                pass
        return sorted(found)

    def kill(self):
        """SIGKILL every process in the group."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def memory_peak(self):
        """The most memory the group has used, in bytes (None where the kernel does not say)."""
        for d in self.dirs:
            for name in ("memory.peak", "memory.max_usage_in_bytes"):
                try:
                    return int((d / name).read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    continue
        return None

    def events(self):
        """The memory events counted so far (``oom_kill``, ``max``, ...; v1: ``failcnt``)."""
        counts = {}
        for d in self.dirs:
            for name in ("memory.events", "memory.oom_control"):
                try:
                    text = (d / name).read_text()
                except OSError:
                    continue
                for line in text.splitlines():
                    words = line.split()
                    if len(words) == 2 and words[1].isdigit():
                        counts[words[0]] = counts.get(words[0], 0) + int(words[1])
            try:
                counts["failcnt"] = int((d / "memory.failcnt").read_text().strip() or 0)
            except (OSError, ValueError):
                pass
        return counts

    def hit_memory_limit(self):
        events = self.events()
        return bool(events.get("oom_kill") or events.get("failcnt"))

    def remove(self):
        """Remove the group's folders (waiting a moment for dying processes to leave)."""
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
