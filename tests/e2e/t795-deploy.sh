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

# kanon serve in the cluster (deploy/kanon-serve.yaml: Deployment, Service, PodDisruptionBudget;
# the Secret example; the apiserver's webhook kubeconfig and audit policy, which are files on the
# control-plane node, not cluster objects)
v deploy/kanon-serve.yaml deploy/kanon-serve-secret.example.yaml >"$tmp/vs.out"
check "kanon serve's Deployment, Service, PodDisruptionBudget and Secret example validate" $?
grep -v ": valid$" "$tmp/vs.out"
y2j deploy/kanon-serve.yaml >"$tmp/serve.json"
jq -e '(.[] | select(.kind == "Deployment")) as $d | $d.spec.template.spec as $s |
	$d.metadata.namespace == "kanon" and $d.spec.replicas >= 2 and
	$s.automountServiceAccountToken == false and
	($s.containers[0].command[0:2] | join(" ")) == "kanon serve" and
	($s.containers[0].command | index("--client-ca")) != null and
	($s.containers[0].command | index("--insecure-http")) == null and
	$s.containers[0].readinessProbe.httpGet.path == "/readyz" and
	$s.containers[0].readinessProbe.httpGet.scheme == "HTTPS" and
	$s.containers[0].livenessProbe.httpGet.path == "/healthz" and
	$s.containers[0].securityContext.readOnlyRootFilesystem == true and
	($s.containers[0].volumeMounts | all(.readOnly == true)) and
	$s.volumes[0].secret.secretName == "kanon-serve-tls" and
	$s.terminationGracePeriodSeconds >= 10' "$tmp/serve.json" >/dev/null
check "serve Deployment: kanon serve with mTLS (--client-ca), HTTPS probes on /readyz and /healthz, no API token, read-only" $?
jq -e '(.[] | select(.kind == "Deployment")) as $d | (.[] | select(.kind == "Service")) as $svc |
	(.[] | select(.kind == "PodDisruptionBudget")) as $pdb |
	($svc.spec.selector | to_entries | all(. as $e | $d.spec.template.metadata.labels[$e.key] == $e.value)) and
	($pdb.spec.selector.matchLabels | to_entries | all(. as $e | $d.spec.template.metadata.labels[$e.key] == $e.value)) and
	$svc.spec.ports[0].targetPort == $d.spec.template.spec.containers[0].ports[0].name and
	($d.spec.template.spec.containers[0].command | join(" ") | test("--listen 0.0.0.0:" + ($d.spec.template.spec.containers[0].ports[0].containerPort | tostring)))' \
	"$tmp/serve.json" >/dev/null
check "the Service and the PodDisruptionBudget select the Deployment's pods; the Service targets the port kanon listens on" $?
# every key the Deployment's command reads from the Secret is in the example Secret
y2j deploy/kanon-serve-secret.example.yaml | jq -r '.[0].stringData | keys[]' | sort >"$tmp/keys"
jq -r '.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0].command[] |
	select(startswith("/etc/kanon/tls/")) | ltrimstr("/etc/kanon/tls/")' "$tmp/serve.json" | sort >"$tmp/used"
[ -s "$tmp/used" ] && [ -z "$(comm -13 "$tmp/keys" "$tmp/used")" ]
check "every file the Deployment reads from /etc/kanon/tls is a key of the Secret example" $?

# the webhook kubeconfig points at the Service's ClusterIP and port, path /audit, with a CA and a
# client certificate; kanon reads it as a kubeconfig
y2j deploy/kanon-audit-webhook.yaml | jq -e --slurpfile s "$tmp/serve.json" '
	($s[0][] | select(.kind == "Service")) as $svc | .[0] as $k |
	$k.kind == "Config" and
	$k.clusters[0].cluster.server == "https://\($svc.spec.clusterIP):\($svc.spec.ports[0].port)/audit" and
	($k.clusters[0].cluster["certificate-authority"] | length) > 0 and
	($k.users[0].user["client-certificate"] | length) > 0 and ($k.users[0].user["client-key"] | length) > 0 and
	$k.contexts[0].context.cluster == $k.clusters[0].name and $k["current-context"] == $k.contexts[0].name' >/dev/null
check "the webhook kubeconfig sends to https://<Service ClusterIP>:<port>/audit with a CA and a client certificate" $?
y2j deploy/kanon-audit-policy.yaml | jq -e '.[0] | .apiVersion == "audit.k8s.io/v1" and .kind == "Policy" and
	(.rules | last | .level == "Metadata" and (keys | length) == 1) and
	any(.rules[]; .level == "Request" and any(.resources[]; .group == "rbac.authorization.k8s.io"))' >/dev/null
check "the audit policy logs every request's metadata and the RBAC binding bodies" $?
# every flag the Deployment passes is one kanon serve knows, and kanon serve accepts the whole
# command line (with the Secret's files made locally; --listen on loopback port 0, stopped at once)
jq -r '.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0].command[] |
	select(startswith("--"))' "$tmp/serve.json" >"$tmp/flags"
"$KANON" serve --help >"$tmp/serve-help" 2>&1
bad=0
while read -r f; do grep -q -- "$f " "$tmp/serve-help" || { echo "# unknown flag $f"; bad=1; }; done <"$tmp/flags"
[ -s "$tmp/flags" ] && [ "$bad" = 0 ]
check "every flag of the serve Deployment is in kanon serve --help" $?
. tests/e2e/serve-pki.sh
serve_pki "$tmp/pki" >/dev/null 2>&1
mkdir -p "$tmp/tls"
cp "$tmp/pki/server.pem" "$tmp/tls/tls.crt"
cp "$tmp/pki/server.key" "$tmp/tls/tls.key"
cp "$tmp/pki/ca.pem" "$tmp/tls/client-ca.crt"
jq -r '.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0].command[2:][]' "$tmp/serve.json" |
	sed "s#^/etc/kanon/tls/#$tmp/tls/#; s#^0.0.0.0:8443\$#127.0.0.1:0#" >"$tmp/args"
mapfile -t args <"$tmp/args"
"$KANON" serve "${args[@]}" --port-file "$tmp/port" >/dev/null 2>"$tmp/serve.err" &
sp=$!
pids+=("$sp")
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
code=$(curl -s --max-time 5 --cacert "$tmp/pki/ca.pem" -o /dev/null -w '%{http_code}' \
	"https://127.0.0.1:$(cat "$tmp/port" 2>/dev/null)/readyz")
kill -TERM "$sp" 2>/dev/null
wait "$sp"
rc=$?
[ "$code" = 200 ] && [ "$rc" = 0 ]
check "kanon serve runs with the Deployment's command line and answers its readiness probe" $?
# the example webhook kubeconfig is what kanon serve --print-webhook-config prints for its values
# (but for the CA, which kanon embeds as certificate-authority-data)
y2j deploy/kanon-audit-webhook.yaml >"$tmp/wh.json"
"$KANON" serve --print-webhook-config --server-url "$(jq -r '.[0].clusters[0].cluster.server' "$tmp/wh.json")" \
	--ca-file "$tmp/pki/ca.pem" --client-cert "$(jq -r '.[0].users[0].user["client-certificate"]' "$tmp/wh.json")" \
	--client-key "$(jq -r '.[0].users[0].user["client-key"]' "$tmp/wh.json")" >"$tmp/printed.yaml" &&
	y2j "$tmp/printed.yaml" | jq -e --slurpfile w "$tmp/wh.json" '.[0] as $p | $w[0][0] as $e |
	$p.kind == $e.kind and $p.clusters[0].cluster.server == $e.clusters[0].cluster.server and
	$p.users[0].user == $e.users[0].user and ($p.clusters[0].cluster["certificate-authority-data"] | length) > 0' >/dev/null
check "deploy/kanon-audit-webhook.yaml matches kanon serve --print-webhook-config for the same values" $?

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
