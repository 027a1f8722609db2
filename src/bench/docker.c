/* docker.c - `bulwark bench docker`: run the CIS Docker Benchmark v1.6.0
 * checks over the collected host state and fill a report. */
#include <string.h>

#include "docker_int.h"

static const struct {
	const char *prefix;
	const char *title;
} sections[] = {
	{"1.1", "1.1 Linux hosts specific configuration"},
	{"1.2", "1.2 General configuration"},
	{"2", "2 Docker daemon configuration"},
	{"3", "3 Docker daemon configuration files"},
	{"4", "4 Container images and build file configuration"},
	{"5", "5 Container runtime configuration"},
	{"6", "6 Docker security operations"},
	{"7", "7 Docker swarm configuration"},
};

const char *dk_section(const char *id)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (bench_id_matches(sections[i].prefix, id))
			return sections[i].title;
	return "other";
}

size_t bench_docker_check_count(void)
{
	return dk_checks_host_n + dk_checks_ct_n;
}

static enum bw_err run_one(struct dk_ctx *c, const struct dk_check *k, struct bench_report *r)
{
	enum bw_err result;
	enum bench_status st = BENCH_ERROR;
	struct bw_buf detail;
	struct bench_result res;

	bw_buf_init(&detail, 256 * 1024);
	k->run(c, &st, &detail);
	memset(&res, 0, sizeof(res));
	/* bench_report_add copies every string: the casts only satisfy the
	 * struct's char * fields */
	res.id = (char *)k->id;
	res.title = (char *)k->title;
	res.section = (char *)dk_section(k->id);
	res.automated = k->automated;
	res.level = k->level;
	res.status = st;
	res.detail = detail.data ? detail.data : "";
	res.remediation = (char *)k->remediation;
	result = bench_report_add(r, &res);
	bw_buf_release(&detail);
	return result;
}

static void describe_target(struct dk_ctx *c, struct bench_report *r)
{
	struct bw_buf t;

	bw_buf_init(&t, 4096);
	if (c->offline)
		(void)bw_buf_appendf(&t, "offline host root %s", c->root);
	else
		(void)bw_buf_appendf(&t, "%s%s", c->daemon_note ? c->daemon_note : "dockerd",
				     c->rootless ? " (rootless)" : "");
	if (c->version && bw_json_str(c->version, "Version"))
		(void)bw_buf_appendf(&t, ", Docker Engine %s", bw_json_str(c->version, "Version"));
	if (c->api_socket && !c->offline)
		(void)bw_buf_appendf(&t, ", API %s%s", c->api_socket, c->api_error ? " (unreachable)" : "");
	(void)bench_report_set_target(r, t.data ? t.data : "");
	bw_buf_release(&t);
}

enum bw_err bench_docker_run(const struct bench_docker_opts *o, struct bench_report *r,
			     struct bw_errbuf *eb)
{
	enum bw_err result;
	struct dk_ctx c;

	result = dk_collect(&c, o, eb);
	if (result != BW_OK) {
		dk_ctx_release(&c);
		return result;
	}
	describe_target(&c, r);
	for (size_t i = 0; i < dk_checks_host_n && result == BW_OK; i++)
		if (bench_filter_selects(o->filter, dk_checks_host[i].id))
			result = run_one(&c, &dk_checks_host[i], r);
	for (size_t i = 0; i < dk_checks_ct_n && result == BW_OK; i++)
		if (bench_filter_selects(o->filter, dk_checks_ct[i].id))
			result = run_one(&c, &dk_checks_ct[i], r);
	dk_ctx_release(&c);
	if (result != BW_OK)
		return bw_fail(eb, result, "building the report failed: %s", bw_strerror(result));
	return BW_OK;
}
