#!/usr/bin/env bash
# Hostile kubelet.service trees (issue 9): a variable referenced 1000
# times, a 2.5 MB unit of one continued line, 300 drop-ins, an
# EnvironmentFile= bigger than the bound. Each must end fast with UNKNOWN
# (exit 3) and the reason, never eat memory; each run is bounded in time
# and, outside the sanitizer build, in memory.
. "$(dirname "$0")/lib.sh"

unit=etc/systemd/system/kubelet.service
mk() { mkdir -p "$tmp/$1/etc/systemd/system/kubelet.service.d"; }

mk bomb
python3 - "$tmp/bomb" <<'PY'
import sys
d = sys.argv[1]
# 200 KB of flags in one variable, expanded 1000 times as words and
# 1000 times inside one word
with open(d + "/etc/kubelet.env", "w") as f:
    f.write("BIG=" + "--node-labels=x " * 12000 + "\n")
with open(d + "/etc/systemd/system/kubelet.service", "w") as f:
    f.write("[Service]\nEnvironmentFile=/etc/kubelet.env\n")
    f.write("ExecStart=/usr/bin/kubelet " + " ".join(["$BIG"] * 1000) + " " + "${BIG}" * 1000 + "\n")
PY
mk longline
python3 - "$tmp/longline" <<'PY'
import sys
with open(sys.argv[1] + "/etc/systemd/system/kubelet.service", "w") as f:
    f.write("[Service]\nExecStart=/usr/bin/kubelet \\\n" + ("x" * 60 + " \\\n") * 40000)
PY
mk dropins
for i in $(seq 1 300); do
	printf '[Service]\nEnvironment=A%d=1\n' "$i" >"$tmp/dropins/etc/systemd/system/kubelet.service.d/$i.conf"
done
printf '[Service]\nExecStart=/usr/bin/kubelet\n' >"$tmp/dropins/$unit"
mk bigenv
head -c 400000 /dev/zero | tr '\0' 'x' | sed 's/^/A=/' >"$tmp/bigenv/etc/kubelet.env"
printf '[Service]\nEnvironmentFile=/etc/kubelet.env\nExecStart=/usr/bin/kubelet $A\n' >"$tmp/bigenv/$unit"

limit=""
case "$KANON" in *build-san*) ;; *) limit="ulimit -v 1000000;" ;; esac
run() { # TREE EXPECTED-TEXT
	local start end
	start=$(date +%s%N)
	bash -c "$limit timeout 20 \"\$0\" kubelet --root \"\$1\"" "$KANON" "$tmp/$1" >"$tmp/out" 2>&1
	rc=$?
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	if [ "$rc" = 3 ] && grep -q "$2" "$tmp/out"; then
		ok "$1: UNKNOWN ($2) in $ms ms"
	else
		notok "$1: rc=$rc, expected 3 and '$2'"
		head -n 5 "$tmp/out" | sed 's/^/    /'
	fi
}
run bomb "larger than"
run longline "larger than"
run dropins "more than 256 drop-ins"
run bigenv "cannot be loaded"
