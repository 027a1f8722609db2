/* write_json.c - the benchmark report as JSON (schema in docs/bench-docker.md). */
#include <jansson.h>

#include "bench.h"

/* Strings in a report are sanitised UTF-8 (bench_report_add), so jansson
 * accepts them; a NULL from json_string is an allocation failure. */
static int set_str(json_t *o, const char *key, const char *s)
{
	return json_object_set_new(o, key, json_string(s ? s : ""));
}

static json_t *result_json(const struct bench_result *x)
{
	json_t *o = json_object();
	int bad = 0;

	if (!o)
		return NULL;
	bad |= set_str(o, "id", x->id);
	bad |= set_str(o, "title", x->title);
	bad |= set_str(o, "section", x->section);
	bad |= json_object_set_new(o, "automated", json_boolean(x->automated));
	bad |= json_object_set_new(o, "level", json_integer(x->level));
	bad |= set_str(o, "status", bench_status_name(x->status));
	bad |= set_str(o, "detail", x->detail);
	bad |= set_str(o, "remediation", x->remediation);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

enum bw_err bench_write_json(const struct bench_report *r, FILE *f, struct bw_errbuf *eb)
{
	enum bw_err result = BW_ERR_NOMEM;
	size_t counts[BENCH_STATUS__COUNT];
	json_t *root = json_object(), *summary = json_object(), *results = json_array();
	int bad = 0;

	if (!root || !summary || !results)
		goto out_json;
	bench_report_count(r, counts);
	for (int s = 0; s < BENCH_STATUS__COUNT; s++)
		bad |= json_object_set_new(summary, bench_status_name(s),
					   json_integer((json_int_t)counts[s]));
	bad |= json_object_set_new(summary, "total", json_integer((json_int_t)r->n));
	bad |= json_object_set_new(summary, "exit_code", json_integer(bench_exit_code(r, false)));
	for (size_t i = 0; i < r->n && !bad; i++) {
		json_t *o = result_json(&r->results[i]);

		bad |= !o || json_array_append_new(results, o);
	}
	bad |= set_str(root, "benchmark", r->benchmark);
	bad |= set_str(root, "target", r->target);
	bad |= set_str(root, "generated", r->generated);
	if (bad)
		goto out_json;
	json_object_set_new(root, "summary", summary);
	json_object_set_new(root, "results", results);
	summary = results = NULL;
	result = bw_json_write(root, f, eb);
out_json:
	json_decref(summary);
	json_decref(results);
	json_decref(root);
	return result;
}
