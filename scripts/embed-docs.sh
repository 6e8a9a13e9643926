#!/bin/sh
# Write C source holding every docs/rules/<id>.md page, for the SARIF
# reporter's help.markdown (src/report/rule_docs.c includes the output).
# usage: scripts/embed-docs.sh DIR >rule_docs.inc
set -eu
dir=$1
n=0
for f in "$dir"/*.md; do
	printf 'static const char doc_%d[] = {\n' "$n"
	od -An -v -tx1 "$f" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
	printf '\t0x00};\n'
	n=$((n + 1))
done
printf 'static const struct rule_doc_page rule_doc_pages[] = {\n'
n=0
for f in "$dir"/*.md; do
	id=$(basename "$f" .md)
	printf '\t{"%s", doc_%d},\n' "$id" "$n"
	n=$((n + 1))
done
printf '};\n'
