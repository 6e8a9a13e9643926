#ifndef KANON_RULE_DOCS_H
#define KANON_RULE_DOCS_H

/*
 * The rule pages docs/rules/<id>.md, embedded at build time
 * (scripts/embed-docs.sh, Makefile): the SARIF reporter's help text, so
 * that the binary needs no data directory. NULL when the page is not in
 * the build (the fuzz targets build without them).
 */
const char *rule_doc_markdown(const char *id);

/* The base the SARIF helpUri of a rule is made of: DOC_URL at build time
 * (make DOC_URL=https://.../docs/rules/), else the installed pages. */
const char *rule_doc_url_base(void);

#endif
