"""Jupyter kernels that start with the lessons' packages already imported.

Each lesson runs in a kernel of its own, and each kernel pays the imports of
IPython, zmq and ipykernel, and then of jax and flax, again. Here one
process, the *zygote*, imports them once; each kernel is a fork of it, a new
process with an empty namespace. What a cell sees is what it sees in a kernel
of its own: its own process, working directory, environment and
``sys.path``; modules it imports are merely found loaded, in the state a
kernel's first cell would have left them:

- ipykernel's own modules, but ``ipykernel.kernelapp``, whose class body
  reads the kernel's ``JPY_PARENT_PID``;
- the modules asked for (``prerun_kernel_imports``: jax, flax), imported while
  an IPython kernel's shell is the one ``get_ipython()`` returns, as in a
  cell: jax and flax decide at import whether they run in IPython (jax's
  pretty printer looks for a ``ZMQInteractiveShell``, flax's displays for
  ``get_ipython()``). The shell is discarded before any kernel is forked, and
  each kernel makes its own.

A package also reads the environment when it is imported (``JAX_ENABLE_X64``,
say): a kernel whose environment differs from the zygote's in anything but
what Jupyter sets for each kernel is not forked, its launcher becomes a
kernel of its own instead. The only thread that runs in the zygote when it
forks is OpenBLAS's (numpy's), which re-creates its threads in the child.
tests/unit/test_build_speed.py compares the modules' state in a warm kernel
with a kernel of its own, and tests/build/test_reproducible.py a site built
on warm kernels with one built without.

Jupyter starts a kernel with a command; ``WarmKernelManager`` replaces the
standard ``python -m ipykernel_launcher -f FILE`` with this file's
``launch``, which asks the zygote for a kernel and stands for it: signals sent
to it reach the kernel, it exits when the kernel does, and a kernel whose
launcher is killed ends too. The zygote, when it is stopped (SIGTERM), kills
the kernels still running and waits for them; a kernel whose zygote is killed
is killed too: no kernel is left behind. It waits for each kernel that ends, so
the kernels' CPU time counts in the build's (getrusage of its children).

    python warm_kernels.py serve SOCKET [MODULE...] # the zygote
    python -I warm_kernels.py launch SOCKET ARG...  # a kernel (what Jupyter runs)
"""

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()


# What ipykernel.kernelapp imports, and so what a kernel's start spends its
# time in; not kernelapp itself.
KERNEL_DEPENDENCIES = [
    "IPython.core.interactiveshell",
    "IPython.core.application",
    "IPython.core.profiledir",
    "IPython.core.shellapp",
    "zmq",
    "zmq.eventloop.zmqstream",
    "tornado.ioloop",
    "jupyter_client.session",
    "jupyter_client.connect",
    "jupyter_core.paths",
    "comm",
    "traitlets",
    "ipykernel.connect",
    "ipykernel.control",
    "ipykernel.heartbeat",
    "ipykernel.iostream",
    "ipykernel.ipkernel",
    "ipykernel.parentpoller",
    "ipykernel.shellchannel",
    "ipykernel.zmqshell",
]

# What may differ between a kernel's environment and the zygote's, and no
# package a kernel imports reads: what Jupyter sets for each kernel, and what
# Sphinx sets for its own docutils while it builds (the zygote may start
# before Sphinx does).
NOT_COMPARED = {
    "JPY_PARENT_PID",
    "JPY_SESSION_NAME",
    "JPY_INTERRUPT_EVENT",
    "DOCUTILSCONFIG",
}

# -- The zygote ---------------------------------------------------------------


def _watch(pid):
    """End this kernel when its launcher (the process Jupyter manages) ends."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        os._exit(1)
    select.select([fd], [], [])
    os._exit(1)


def _become_kernel(request):
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # No kernel outlives the zygote, however the zygote ends (even SIGKILL).
    _parent_death_signal(signal.SIGKILL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # As `python -m ipykernel_launcher` run in that folder would have it.
    sys.path[0] = request["cwd"]
    sys.argv = request["argv"]
    threading.Thread(target=_watch, args=(request["launcher"],), daemon=True).start()
    code = 0
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _parent_death_signal(signum):
    """Have the kernel send this process ``signum`` when its parent ends."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG


def end_with_parent():
    """Have the zygote ask for SIGTERM when the process that started it ends."""
    _parent_death_signal(signal.SIGTERM)


def _reap(signum=None, frame=None):
    """Wait for the kernels that ended: their CPU time then counts in the
    zygote's children's (getrusage), and so in its parent's when it ends."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _kernels.discard(pid)


def _stop(signum, frame):
    """End every kernel still running, wait for them, then end."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in list(_kernels):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in list(_kernels):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    _reap()
    os._exit(0)


_kernels = set()


def _import(modules):
    for module in modules:
        try:
            __import__(module)
        except Exception as error:  # a kernel imports it again, and reports
            print(f"warm_kernels: cannot import {module}: {error}", file=sys.stderr)


def _import_as_in_a_kernel(modules):
    """Import modules as a kernel's first cell would: with an IPython
    kernel's shell the one ``get_ipython()`` returns. The shell is then
    discarded (the kernel makes its own)."""
    if not modules:
        return
    from ipykernel.zmqshell import ZMQInteractiveShell
    from traitlets.config import Config

    config = Config()
    # The history is kept by a thread, and no thread may run at a fork.
    config.HistoryManager.enabled = False
    shell = ZMQInteractiveShell.instance(config=config)
    try:
        with shell.builtin_trap:
            _import(modules)
    finally:
        ZMQInteractiveShell.clear_instance()


def _comparable(env):
    return {k: v for k, v in env.items() if k not in NOT_COMPARED}


def serve(path, modules):
    end_with_parent()
    # Listen first: a launcher that comes early waits in the backlog.
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, _stop)
    # What the modules' imports read of the environment (the shell sets a few
    # variables of its own, as a kernel's does).
    imported_with = _comparable(os.environ)
    _import(KERNEL_DEPENDENCIES)
    _import_as_in_a_kernel(modules)
    while True:
        connection, _ = server.accept()
        with connection, connection.makefile("rwb") as stream:
            request = json.loads(stream.readline())
            env = _comparable(request["env"])
            if modules and env != imported_with:
                # Imported with another environment: a kernel of its own.
                both = {*env, *imported_with}
                names = sorted(k for k in both if env.get(k) != imported_with.get(k))
                print(
                    f"warm_kernels: a kernel's {', '.join(names)} differ from the"
                    " zygote's: it imports its packages itself",
                    file=sys.stderr,
                )
                stream.write(b"own\n")
                stream.flush()
                continue
            # Noted before it can be reaped: a pid left in _kernels could be
            # another process's by the time _stop kills them. And answered
            # before a stop (SIGTERM) ends the zygote: the launcher then has
            # the kernel's pid, and sees it end.
            held = {signal.SIGCHLD, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, held)
            pid = os.fork()
            if pid == 0:
                server.close()
                signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
                _become_kernel(request)
            _kernels.add(pid)
            try:
                stream.write(f"{pid}\n".encode())
                stream.flush()
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


# -- The launcher -------------------------------------------------------------


def launch(path, argv):
    request = {
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "argv": ["ipykernel_launcher", *argv],
        "launcher": os.getpid(),
    }
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(600):  # the zygote may still be starting
        try:
            client.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.05)
    with client, client.makefile("rwb") as stream:
        stream.write(json.dumps(request).encode() + b"\n")
        stream.flush()
        reply = stream.readline().strip()
    if reply == b"own":
        # This process becomes the kernel Jupyter asked for, as it asked.
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    if not reply:
        # Killed, or stopped before a request was read: no kernel to stand for.
        print(
            "warm_kernels: the zygote ended before it started the kernel",
            file=sys.stderr,
        )
        return 1
    pid = int(reply)

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
        if signum == signal.SIGTERM:
            sys.exit(1)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(signum, forward)
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return 0
    while True:
        try:
            select.select([fd], [], [])
            return 0
        except InterruptedError:
            continue


# -- In the process that runs notebooks ---------------------------------------


class Zygote:
    """The zygote process, started at once, ready when its imports are done."""

    def __init__(self, modules):
        # A short path: a socket's is limited to 107 bytes.
        self.modules = list(modules)
        self.folder = tempfile.mkdtemp(prefix="zygote-")
        self.socket = str(Path(self.folder) / "socket")
        self.process = subprocess.Popen(
            [sys.executable, str(HERE), "serve", self.socket, *modules],
            stdin=subprocess.DEVNULL,
        )

    def stop(self):
        """End the zygote; it ends its kernels first (and a kernel whose
        zygote is killed is killed too)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_early = None


def start_early(modules):
    """Start a zygote now, before the build that will take it (take_early)."""
    global _early
    stop_early()
    _early = Zygote(modules)


def take_early(modules):
    """The zygote start_early started, if it imports these modules; else
    None (and it is stopped)."""
    global _early
    zygote, _early = _early, None
    if zygote is not None and zygote.modules != list(modules):
        zygote.stop()
        zygote = None
    return zygote


def stop_early():
    global _early
    if _early is not None:
        _early.stop()
        _early = None


def kernel_manager_class(zygote):
    """An AsyncKernelManager whose python kernels are forks of ``zygote``."""
    from jupyter_client.manager import AsyncKernelManager

    class WarmKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            command = super().format_kernel_cmd(extra_arguments)
            if (
                command[1:3] == ["-m", "ipykernel_launcher"]
                and Path(command[0]).resolve() == Path(sys.executable).resolve()
            ):
                return [
                    sys.executable, "-I", str(HERE), "launch", zygote.socket,
                    *command[3:],
                ]  # fmt: skip
            return command

    return WarmKernelManager


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(launch(sys.argv[2], sys.argv[3:]))
