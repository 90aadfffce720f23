# TAP helpers shared by the Python guest tests (tests/vm/*.t), the same
# as tests/lib/tap.bash is for the bash ones: numbered ok/not ok lines
# with diagnostics, a missing build as a failure (require), and reading
# what a guest left in a shared folder.  The .t file prints the plan
# ("1..N", N = tap.count()) at the end.
import json
import os
import subprocess
import sys

_n = 0


def ok(cond, name, diag=None):
    global _n
    _n += 1
    print("%sok %d - %s" % ("" if cond else "not ", _n, name))
    if not cond and diag is not None:
        for line in str(diag).splitlines():
            print("# " + line)
    sys.stdout.flush()
    return cond


def count():
    return _n


def require(*paths):
    """Each path must be an executable this project builds or ships: a
    missing one is a failure (one "not ok" each), never a skip.  True when
    all are there."""
    missing = [p for p in paths if not os.access(p, os.X_OK)]
    for p in missing:
        ok(False, "%s is there" % p, "missing: %s (run make in the checkout)" % p)
    return not missing


def text(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return f.read()
    except OSError:
        return ""


def load(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"_error": str(e)}


def run_guest(vm_run, root, kernel, script, out, timeout, what):
    """Run tests/vm/SCRIPT ROOT OUT in a KERNEL guest, OUT shared writable;
    one TAP line: did it run to its end (it writes OUT/done last)?"""
    os.chmod(out, 0o777)
    r = subprocess.run([vm_run, "--timeout", str(timeout), "--share", out, kernel, "--",
                        os.path.join(root, "tests", "vm", script), root, out],
                       cwd=root, capture_output=True, text=True)
    return ok(r.returncode == 0 and text(out, "done"), "%s: %s" % (kernel, what),
              (r.stdout + r.stderr)[-3000:])
