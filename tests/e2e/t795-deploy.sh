#!/usr/bin/env bash
# deploy/: the fleet manifests validate against the upstream Kubernetes
# schemas (npm kubernetes-models, installed into build/npm), do what README
# says (hostPID, read-only host mounts, kanon scan --root /host -f json; the
# CronJob runs kanon cluster as ServiceAccount kanon), and a broken manifest
# is rejected by the same validator.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/npm-tools.sh"
npm_need kubernetes-models || exit 1
v() { NPM_PREFIX=$NPM_PREFIX sh tests/tools/k8s_validate.sh "$@"; }
y2j() { python3 -c 'import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))' "$1"; }

v deploy/kanon-node-job.yaml deploy/kanon-daemonset.yaml deploy/kanon-cluster-cronjob.yaml >"$tmp/v.out"
check "the Job, DaemonSet and CronJob validate against the Kubernetes schemas" $?
cat "$tmp/v.out" | grep -v ": valid$"

# the per-node Job as README makes it
sed "s/kanon-scan-node-name/kanon-scan-worker-1/; s/nodeName: node-name/nodeName: worker-1/" \
	deploy/kanon-node-job.yaml >"$tmp/job-worker-1.yaml"
v "$tmp/job-worker-1.yaml" >/dev/null &&
	y2j "$tmp/job-worker-1.yaml" | jq -e '.[0] | .metadata.name == "kanon-scan-worker-1" and .spec.template.spec.nodeName == "worker-1"' >/dev/null
check "the per-node Job README's loop makes is valid" $?

y2j deploy/kanon-node-job.yaml | jq -e '.[0].spec.template.spec as $s | $s.hostPID == true and
	$s.automountServiceAccountToken == false and $s.restartPolicy == "Never" and
	($s.containers[0].command | join(" ")) == "kanon scan --root /host -f json --fail-on none" and
	($s.containers[0].volumeMounts | all(.readOnly == true and (.mountPath | startswith("/host/")))) and
	([$s.volumes[].hostPath.path] | length) == ($s.containers[0].volumeMounts | length) and
	$s.containers[0].securityContext.readOnlyRootFilesystem == true' >/dev/null
check "node Job: hostPID, every host mount read-only below /host, kanon scan --root /host -f json" $?
y2j deploy/kanon-daemonset.yaml | jq -e '.[0].spec.template.spec as $s | $s.hostPID == true and
	($s.initContainers[0].command | join(" ")) == "kanon scan -f json --fail-on none" and
	$s.automountServiceAccountToken == false' >/dev/null
check "DaemonSet: hostPID, kanon scan -f json per node, no API credentials" $?
y2j deploy/kanon-cluster-cronjob.yaml | jq -e '.[0] | .metadata.namespace == "kanon" and
	.spec.jobTemplate.spec.template.spec.serviceAccountName == "kanon" and
	(.spec.jobTemplate.spec.template.spec.containers[0].command[0:2] | join(" ")) == "kanon cluster"' >/dev/null
check "CronJob: kanon cluster as ServiceAccount kanon in namespace kanon" $?
# the ServiceAccount it runs as (deploy/kanon-reader.yaml, from kanon cluster's work)
v deploy/kanon-reader.yaml >/dev/null &&
	y2j deploy/kanon-reader.yaml | jq -e 'any(.[]; .kind == "ServiceAccount" and .metadata.name == "kanon" and
	.metadata.namespace == "kanon")' >/dev/null
check "deploy/kanon-reader.yaml validates and has ServiceAccount kanon/kanon" $?

# the JSON the Job writes is the report the schema describes (same command, a node tree)
"$KANON" scan --root tests/fixtures/nodes/cp-kubeadm -f json --fail-on none >"$tmp/node.json" 2>/dev/null
[ $? = 0 ] && /usr/bin/python3 tests/tools/json_schema.py docs/kanon-report.schema.json "$tmp/node.json"
check "the Job's command on a node tree: exit 0 with --fail-on none, a valid JSON report" $?

# the validator rejects broken manifests
sed 's/hostPID: true/hostPID: "yes"/' deploy/kanon-node-job.yaml >"$tmp/bad1.yaml"
! v "$tmp/bad1.yaml" >"$tmp/bad1.out" && grep -q "hostPID must be boolean" "$tmp/bad1.out"
check "a broken manifest (hostPID: \"yes\") is rejected" $?
y2j deploy/kanon-cluster-cronjob.yaml | jq '.[0] | del(.spec.jobTemplate.spec.template.spec.containers)' |
	python3 -c 'import json, sys, yaml; yaml.safe_dump(json.load(sys.stdin), open(sys.argv[1], "w"))' "$tmp/bad2.yaml"
! v "$tmp/bad2.yaml" >"$tmp/bad2.out" && grep -q "containers" "$tmp/bad2.out"
check "a CronJob without containers is rejected" $?
sed 's/schedule: "17 3 \* \* \*"/schedule: 17/' deploy/kanon-cluster-cronjob.yaml >"$tmp/bad3.yaml"
! v "$tmp/bad3.yaml" >/dev/null
check "a CronJob whose schedule is a number is rejected" $?
printf 'apiVersion: batch/v1\nkind: Jobb\nmetadata: {name: x}\n' >"$tmp/bad4.yaml"
! v "$tmp/bad4.yaml" >/dev/null
check "an unknown kind is an error, not a pass" $?

# the indexed Job that splits an archive of audit logs, and its merge Job
v deploy/kanon-audit-parts.yaml deploy/kanon-audit-merge.yaml >"$tmp/va.out"
check "the audit parts Job (with its volume claim) and the merge Job validate" $?
grep -v ": valid$" "$tmp/va.out"
y2j deploy/kanon-audit-parts.yaml | jq -e '.[0].kind == "PersistentVolumeClaim" and
	.[0].spec.accessModes == ["ReadWriteMany"] and .[1].spec as $j | $j.template.spec as $s |
	$j.completionMode == "Indexed" and $j.completions == $j.parallelism and
	($s.containers[0].env[] | select(.name == "KANON_SHARDS") | .value) == ($j.completions | tostring) and
	($s.containers[0].volumeMounts[] | select(.mountPath == "/archive") | .readOnly) == true and
	$s.automountServiceAccountToken == false' >/dev/null &&
	y2j deploy/kanon-audit-merge.yaml | jq -e --argjson n "$(y2j deploy/kanon-audit-parts.yaml | jq '.[1].spec.completions')" \
		'.[0].spec.template.spec.containers[0].env[] | select(.name == "KANON_SHARDS") | .value == ($n | tostring)' >/dev/null
check "Indexed, completions = parallelism = KANON_SHARDS (in both Jobs), archive read-only" $?

# the pods' scripts run here: 4 shards of an archive (nested, some gzip'ed), then the merge;
# the report is the single run's over all the files
SHARED=${SHARED:-../shared}
if [ -f "$SHARED/bench/gen_audit.py" ]; then
	mkdir -p "$tmp/archive/2025/06" "$tmp/archive/old" "$tmp/parts"
	python3 "$SHARED/bench/gen_audit.py" --out "$tmp/all.log" --size-mb 3 --hours 3 --seed 5 >/dev/null 2>&1
	split -n l/7 -d "$tmp/all.log" "$tmp/archive/2025/06/audit-"
	mv "$tmp/archive/2025/06/audit-06" "$tmp/archive/old/audit-06"
	gzip "$tmp/archive/2025/06/audit-01" "$tmp/archive/old/audit-06"
	script() { y2j "$1" | jq -r ".[$2].spec.template.spec.containers[0].command[2]" |
		sed "s#/tmp/#$tmp/w/#g; s#/archive#$tmp/archive#g; s#/parts/#$tmp/parts/#g"; }
	script deploy/kanon-audit-parts.yaml 1 >"$tmp/shard.sh"
	script deploy/kanon-audit-merge.yaml 0 >"$tmp/merge.sh"
	rc=0
	for i in 0 1 2 3; do
		mkdir -p "$tmp/w"
		KANON_SHARDS=4 JOB_COMPLETION_INDEX=$i PATH="$(dirname "$KANON"):$PATH" \
			sh "$tmp/shard.sh" 2>>"$tmp/shard.err" || rc=1
	done
	[ $rc = 0 ] && [ "$(ls "$tmp/parts" | wc -l)" = 4 ] && grep -q "part 3 of 4: 1 of 7 files" "$tmp/shard.err"
	check "the shard script: 4 parts, files split by index mod 4 (part 3: 1 of 7 files)" $?
	KANON_SHARDS=4 PATH="$(dirname "$KANON"):$PATH" sh "$tmp/merge.sh" >"$tmp/merged.json" 2>/dev/null
	rc=$?
	mapfile -t all < <(find "$tmp/archive" -type f | LC_ALL=C sort)
	"$KANON" audit --no-progress -f json --fail-on none "${all[@]}" >"$tmp/single.json" 2>/dev/null
	[ $rc = 0 ] && cmp -s <(jq -S '.audit.files |= sort' "$tmp/merged.json") \
		<(jq -S '.audit.files |= sort' "$tmp/single.json")
	check "the merge Job's script: exit 0, the report of one run over the 7 files" $?
	rm "$tmp/parts/part-2.json"
	KANON_SHARDS=4 PATH="$(dirname "$KANON"):$PATH" sh "$tmp/merge.sh" >/dev/null 2>"$tmp/merge.err"
	[ $? = 2 ] && grep -q "part-2.json" "$tmp/merge.err"
	check "a missing part stops the merge Job with an error naming it" $?
else
	notok "- gen_audit.py missing ($SHARED/bench)"
fi
