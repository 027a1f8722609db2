/* bench.h - CIS benchmarks: the shared result/report model, its writers
 * (table, JSON, JUnit XML), check selection, the exit-code rule, and the
 * Docker benchmark (CIS Docker Benchmark v1.6.0).
 *
 * The report part (bench_status .. bench_exit_code) is shared with the
 * Kubernetes benchmark: keep it stable.
 *
 * Exit-code rule (bench_exit_code):
 *   0  no automated (scored) check has status FAIL;
 *   1  at least one automated check has status FAIL (or, with
 *      errors_fail, at least one automated check has status ERROR);
 *   2  usage or input error (decided by the caller before a report exists).
 * Manual checks never change the exit code: they report WARN.
 */
#ifndef BW_BENCH_H
#define BW_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"

/* ---- results and reports ----------------------------------------------- */

enum bench_status {
	BENCH_PASS,  /* the setting is as the benchmark recommends */
	BENCH_FAIL,  /* it is not */
	BENCH_WARN,  /* a manual check: a human must judge (detail says what) */
	BENCH_INFO,  /* informational: evidence shown, no verdict */
	BENCH_NA,    /* does not apply here (swarm inactive, no containers, ...) */
	BENCH_ERROR, /* data needed for the verdict could not be read (detail: why) */
	BENCH_STATUS__COUNT
};

/* "PASS", "FAIL", "WARN", "INFO", "NOT_APPLICABLE", "ERROR". */
const char *bench_status_name(enum bench_status s);

/* One check's verdict. Every string is owned by the report, valid UTF-8
 * without control characters other than '\n' and '\t' (bench_report_add
 * sanitises: input can come from hostile container names or files). */
struct bench_result {
	char *id;          /* CIS ID, "2.1" or "1.1.3" */
	char *title;       /* one line */
	char *section;     /* "2 Docker daemon configuration" */
	bool automated;    /* CIS "Automated" (scored); false: "Manual" */
	int level;         /* 1 or 2 (0: not given) */
	enum bench_status status;
	char *detail;      /* why, with evidence: which file/flag/value, from where */
	char *remediation; /* what to do */
};

struct bench_report {
	char *benchmark;   /* "CIS Docker Benchmark v1.6.0" */
	char *target;      /* what was audited: host, daemon, root dir */
	char *generated;   /* RFC 3339 time of the run */
	struct bench_result *results;
	size_t n;
	size_t cap;
};

/* Initialise r; benchmark and target are copied (may be NULL). */
enum bw_err bench_report_init(struct bench_report *r, const char *benchmark, const char *target);
/* Replace r->target with a copy of target. */
enum bw_err bench_report_set_target(struct bench_report *r, const char *target);
/* Append one result; every string is copied and sanitised (NULL -> ""),
 * so res may point at constant strings (cast them). At most 100000 results
 * (BW_ERR_LIMIT past it). The writers group consecutive results with the
 * same section string: add a section's results together, in order. */
enum bw_err bench_report_add(struct bench_report *r, const struct bench_result *res);
/* Frees the insides of r (r itself stays); NULL-safe. */
void bench_report_release(struct bench_report *r);

/* Count of results per status: counts[BENCH_PASS], ... */
void bench_report_count(const struct bench_report *r, size_t counts[BENCH_STATUS__COUNT]);

/* Exit code per the rule at the top of this file. */
int bench_exit_code(const struct bench_report *r, bool errors_fail);

/* ---- check selection (--check / --skip) --------------------------------- */

/* A pattern selects an id when it is equal to it or is a section prefix of
 * it followed by '.': "2" selects "2.1" and "2.15"; "2.1" selects "2.1" and
 * "2.1.4" but not "2.10"; "5.1" selects "5.1" only in the Docker benchmark. */
bool bench_id_matches(const char *pattern, const char *id);

struct bench_filter {
	struct bw_strv only; /* --check: empty means every check */
	struct bw_strv skip; /* --skip */
};

/* true when id is selected: (only is empty or a pattern of only matches) and
 * no pattern of skip matches. f may be NULL (everything selected). */
bool bench_filter_selects(const struct bench_filter *f, const char *id);
void bench_filter_release(struct bench_filter *f);

/* ---- writers -------------------------------------------------------------- */

enum bench_format { BENCH_FORMAT_TABLE, BENCH_FORMAT_JSON, BENCH_FORMAT_JUNIT };

/* "table", "json", "junit" (BW_ERR_USAGE with detail otherwise). */
enum bw_err bench_format_parse(const char *s, enum bench_format *out, struct bw_errbuf *eb);

/* Human table: results grouped by section, status, id, title, the detail
 * indented below, then a summary line. */
enum bw_err bench_write_table(const struct bench_report *r, FILE *f, struct bw_errbuf *eb);
/* JSON: {"benchmark","target","generated","summary":{"PASS":n,...},
 * "results":[{"id","title","section","automated","level","status",
 * "detail","remediation"}]} (docs/bench-docker.md). */
enum bw_err bench_write_json(const struct bench_report *r, FILE *f, struct bw_errbuf *eb);
/* JUnit XML: one <testsuite> per section, one <testcase> per result;
 * FAIL -> <failure>, ERROR -> <error>, WARN/INFO/NOT_APPLICABLE ->
 * <skipped message="STATUS">; the detail also in <system-out>. */
enum bw_err bench_write_junit(const struct bench_report *r, FILE *f, struct bw_errbuf *eb);
enum bw_err bench_write(const struct bench_report *r, enum bench_format fmt, FILE *f,
			struct bw_errbuf *eb);

/* ---- CIS Docker Benchmark v1.6.0 ----------------------------------------- */

struct bench_docker_opts {
	/* Offline audit of a mounted host filesystem: files are read below
	 * root, no /proc, no Engine API (those checks become ERROR or
	 * NOT_APPLICABLE with the reason). NULL: the live host. */
	const char *root;
	/* Engine API endpoint "unix:///path". NULL: $DOCKER_HOST when it is a
	 * unix:// URL, else the socket named by the running dockerd's -H,
	 * else /var/run/docker.sock (or $XDG_RUNTIME_DIR/docker.sock for a
	 * rootless daemon). */
	const char *docker_host;
	/* /proc to read (tests); NULL: "/proc". Ignored with root. */
	const char *proc;
	/* Checks to run; NULL: all. */
	const struct bench_filter *filter;
};

/* Number of checks in the Docker benchmark table (117). */
size_t bench_docker_check_count(void);

/* Run the selected checks and append their results to r (which the caller
 * initialised). Returns BW_OK even when checks FAIL or ERROR; an error
 * return means the run could not be done at all (memory, bad options). */
enum bw_err bench_docker_run(const struct bench_docker_opts *o, struct bench_report *r,
			     struct bw_errbuf *eb);

#endif
