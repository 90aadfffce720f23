# Sourced by tests/vm/check-VERSION.t: `peelbench check --json` in a guest
# booted from Debian kernel VERSION (one boot), asserted on its JSON.
# TAP on stdout.  The runner is the checkout's scripts/vm-run, reached the
# way a user reaches it: `peelbench --vm VERSION check`.
set -uo pipefail

check_in_guest() {
	local version=$1 root out err rc
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	if [ ! -x "$root/scripts/vm-run" ]; then
		echo "1..0 # SKIP no scripts/vm-run in this checkout"
		return 0
	fi
	if [ ! -x "$root/peelbench" ]; then
		echo "1..0 # SKIP ./peelbench not built (run make)"
		return 0
	fi
	out=$(mktemp) err=$(mktemp)
	trap 'rm -f "$out" "$err"' RETURN
	"$root/peelbench" --vm "$version" --vm-timeout 1200 check --json >"$out" 2>"$err"
	rc=$?
	python3 - "$version" "$rc" "$out" "$err" <<'PY'
import json, sys
version, rc, out, err = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = 0
failed = 0
def ok(cond, name, diag=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {name}")
    if not cond:
        failed += 1
        for line in (diag or "").splitlines():
            print("# " + line)
print("1..7")
stderr = open(err).read()
ok(rc == 0, f"check in a {version} guest exits 0 (got {rc})", stderr[-2000:])
try:
    res = json.load(open(out))
except Exception as e:
    ok(False, "stdout is one JSON object", f"{e}\n{open(out).read()[-1000:]}\n{stderr[-1000:]}")
    for i in range(5):
        ok(False, "skipped: no JSON")
    sys.exit(0)
ok(res.get("schema") == "peelbench-result/1" and res.get("complete") is True,
   "schema peelbench-result/1, complete")
kernel = res.get("env", {}).get("kernel", "")
ok(kernel.startswith(version + "."), f"ran on the guest kernel ({kernel})")
cases = res.get("check", {}).get("cases", [])
ok(len(cases) == 23 and len({c["name"] for c in cases}) == 23,
   f"23 distinct cases (got {len(cases)})")
bad = [c for c in cases if c["verdict"] not in ("pass", "known deviation")]
ok(not bad, "every case pass or known deviation",
   "\n".join(f'{c["name"]}: expected {c["expected"]}, observed {c["observed"]}' for c in bad))
s = res["check"]["summary"]
ok(s["fail"] == 0 and s["pass"] + s["known_deviation"] == len(cases)
   and s["known_deviation"] == sum(c["verdict"] == "known deviation" for c in cases),
   f"summary agrees with the cases ({s})")
# The deviation the project exists to point at is still there, with its reference.
t = {c["name"]: c for c in cases}.get("so-type-one-to-one", {})
ok(t.get("observed") == "SOCK_SEQPACKET" and t.get("reference") == "lksctp-tools issue #70",
   "peeled-off SO_TYPE is SOCK_SEQPACKET, known deviation lksctp-tools issue #70", json.dumps(t))
PY
}
