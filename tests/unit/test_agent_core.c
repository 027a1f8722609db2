/* test_agent_core.c - the agent's event writer (event.c) and control socket
 * (ctl.c): line format, bounded buffering with counted drops and no torn
 * lines, socket mode, stale/live socket handling, request size cap and a
 * request/response round trip. Runs as a normal user.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "agent/agent.h"
#include "agent/agent_core.h"

static char *tmpdir(void)
{
	char tpl[] = "/tmp/bw-agent-core.XXXXXX";
	char *d = mkdtemp(tpl);

	assert_non_null(d);
	return strdup(d);
}

static void rmtree(char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(d);
}

static void test_event_line(void **state)
{
	struct agent_evout *o = NULL;
	struct bw_errbuf eb = {{0}};
	char *d = tmpdir(), path[256], buf[4096];
	json_t *ev, *got;
	regex_t re;
	ssize_t n;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/ev.jsonl", d);
	assert_int_equal(agent_evout_open(path, &o, &eb), BW_OK);
	ev = agent_event_new("blocked");
	assert_non_null(ev);
	json_object_set_new(ev, "reason", json_string("not in profile"));
	agent_evout_emit(o, ev);
	agent_evout_emit(o, agent_event_new("agent.stop"));
	agent_evout_close(o, 100);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	/* two lines, each one JSON object; the first keys are time and type */
	assert_non_null(strchr(buf, '\n'));
	assert_non_null(strchr(strchr(buf, '\n') + 1, '\n'));
	assert_int_equal(strchr(strchr(buf, '\n') + 1, '\n')[1], '\0');
	assert_int_equal(strncmp(buf, "{\"time\":\"", 9), 0);
	*strchr(buf, '\n') = '\0';
	got = json_loads(buf, 0, NULL);
	assert_non_null(got);
	assert_string_equal(json_string_value(json_object_get(got, "type")), "blocked");
	assert_string_equal(json_string_value(json_object_get(got, "reason")), "not in profile");
	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	assert_int_equal(regexec(&re, json_string_value(json_object_get(got, "time")), 0, NULL, 0), 0);
	regfree(&re);
	json_decref(got);
	rmtree(d);
}

/* A reader that does not read: lines past the bound are dropped and counted,
 * what arrives is whole lines only, and nothing blocks. */
static void test_event_backpressure(void **state)
{
	struct agent_evout *o = NULL;
	struct bw_errbuf eb = {{0}};
	uint64_t written, dropped, lines = 0;
	char path[64], pad[900], *buf;
	size_t len = 0, cap = 16u << 20;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	assert_int_equal(agent_evout_open(path, &o, &eb), BW_OK);
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < 10000; i++) { /* ~9.5 MB: more than the pipe and the 4 MiB bound */
		json_t *ev = agent_event_new("process.exec");

		json_object_set_new(ev, "pad", json_string(pad));
		json_object_set_new(ev, "i", json_integer(i));
		agent_evout_emit(o, ev);
	}
	agent_evout_stats(o, &written, &dropped);
	assert_true(dropped > 0);
	assert_int_equal(written + dropped, 10000);
	/* drain: read the pipe while flushing */
	buf = malloc(cap);
	assert_non_null(buf);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		bool more = agent_evout_flush(o);
		ssize_t r = read(p[0], buf + len, cap - len);

		if (r > 0)
			len += (size_t)r;
		if (!more && r <= 0)
			break;
	}
	agent_evout_close(o, 100);
	close(p[1]);
	for (size_t off = 0; off < len;) {
		char *nl = memchr(buf + off, '\n', len - off);
		json_t *j;

		assert_non_null(nl); /* no torn line at the end */
		*nl = '\0';
		j = json_loads(buf + off, 0, NULL);
		assert_non_null(j);
		json_decref(j);
		lines++;
		off = (size_t)(nl - buf) + 1;
	}
	assert_int_equal(lines, written);
	assert_true(len <= AGENT_EVOUT_MAX + (1u << 20)); /* buffer + the pipe's capacity */
	close(p[0]);
	free(buf);
}

static json_t *echo_handler(void *ctx, const json_t *req)
{
	int *calls = ctx;

	(*calls)++;
	return json_pack("{s:b,s:s}", "ok", 1, "echo", bw_json_str(req, "cmd"));
}

struct client {
	const char *path;
	const char *req;
	char *resp;
	enum bw_err result;
	volatile int done;
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct bw_errbuf eb = {{0}};

	c->result = agent_ctl_request(c->path, c->req, &c->resp, &eb);
	c->done = 1;
	return NULL;
}

static void serve_until_done(struct agent_ctl *ctl, struct client *c)
{
	for (int i = 0; i < 500 && !c->done; i++) {
		struct pollfd pf = {.fd = agent_ctl_fd(ctl), .events = POLLIN};

		poll(&pf, 1, 10);
		agent_ctl_dispatch(ctl);
	}
}

static void test_ctl_roundtrip(void **state)
{
	char *d = tmpdir(), path[256], big[AGENT_CTL_MAX_REQUEST + 100];
	struct bw_errbuf eb = {{0}};
	struct agent_ctl *ctl = NULL, *second = NULL;
	struct client c = {0};
	pthread_t th;
	struct stat st;
	int calls = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/sub/agent.sock", d);
	assert_int_equal(agent_ctl_listen(path, echo_handler, &calls, &ctl, &eb), BW_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a live socket is not taken over */
	assert_int_equal(agent_ctl_listen(path, echo_handler, &calls, &second, &eb), BW_ERR_USAGE);
	assert_non_null(strstr(eb.msg, "another agent"));

	c.path = path;
	c.req = "{\"cmd\":\"status\"}";
	assert_int_equal(pthread_create(&th, NULL, client_run, &c), 0);
	serve_until_done(ctl, &c);
	pthread_join(th, NULL);
	assert_int_equal(c.result, BW_OK);
	assert_non_null(strstr(c.resp, "\"echo\":\"status\""));
	assert_int_equal(calls, 1);
	free(c.resp);

	/* over the request cap: an error answer, the handler is not called */
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.req = big;
	assert_int_equal(pthread_create(&th, NULL, client_run, &c), 0);
	serve_until_done(ctl, &c);
	pthread_join(th, NULL);
	assert_int_equal(c.result, BW_OK);
	assert_non_null(strstr(c.resp, "request too large"));
	assert_int_equal(calls, 1);
	free(c.resp);

	/* not JSON */
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.req = "status please";
	assert_int_equal(pthread_create(&th, NULL, client_run, &c), 0);
	serve_until_done(ctl, &c);
	pthread_join(th, NULL);
	assert_non_null(strstr(c.resp, "\"ok\":false"));
	free(c.resp);

	agent_ctl_free(ctl);
	assert_int_equal(stat(path, &st), -1); /* removed */
	rmtree(d);
}

static void test_ctl_stale_and_absent(void **state)
{
	char *d = tmpdir(), path[256];
	struct bw_errbuf eb = {{0}};
	struct agent_ctl *ctl = NULL;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *resp = NULL;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/agent.sock", d);
	assert_int_equal(agent_ctl_request(path, "{\"cmd\":\"status\"}", &resp, &eb),
			 BW_ERR_NOT_FOUND);
	assert_null(resp);
	/* a socket file nobody listens on (an agent that died) */
	bw_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(agent_ctl_request(path, "{}", &resp, &eb), BW_ERR_NOT_FOUND);
	assert_int_equal(agent_ctl_listen(path, echo_handler, NULL, &ctl, &eb), BW_OK);
	agent_ctl_free(ctl);
	/* a regular file is never removed */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(agent_ctl_listen(path, echo_handler, NULL, &ctl, &eb), BW_ERR_USAGE);
	assert_non_null(strstr(eb.msg, "not a socket"));
	rmtree(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_line),
		cmocka_unit_test(test_event_backpressure),
		cmocka_unit_test(test_ctl_roundtrip),
		cmocka_unit_test(test_ctl_stale_and_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
