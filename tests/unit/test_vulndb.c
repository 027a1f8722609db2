/* test_vulndb.c - the vulnerability database: every reader on real feed
 * files from ../shared/vulndata (expected values copied from the files' own
 * text, quoted in the comments) and on the small fixtures in
 * tests/data/vulndb (their README says where each value comes from), alias
 * merging, withdrawn records, RustSec informational records, provenance,
 * info, atomic replacement and a build from all of vulndata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "vulndb/vulndb.h"

#define DATA BW_SOURCE_ROOT "/tests/data/vulndb"

static char tmpdir[256];
static char vulndata[1024];

static const char *vd(const char *rel)
{
	static char buf[4][2048];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", vulndata, rel);
	return buf[k];
}

static int setup_all(void **state)
{
	const char *shared = getenv("BW_SHARED");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bw-vdb-test.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(vulndata, sizeof(vulndata), "%s/vulndata",
		 shared ? shared : BW_SOURCE_ROOT "/../shared");
	bw_log_set_level(BW_LOG_ERROR);
	return 0;
}

static int teardown_all(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool have_vulndata(void)
{
	return access(vd("README.md"), R_OK) == 0;
}

/* Build name.sqlite in tmpdir from the NULL-terminated paths; open it. */
static struct vdb *build(const char *name, struct vdb_build_stats *st, ...)
{
	struct bw_errbuf eb = {{0}};
	struct vdb_builder *b = NULL;
	struct vdb *db = NULL;
	char path[512];
	const char *p;
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s.sqlite", tmpdir, name);
	assert_int_equal(vdb_build_begin(path, &b, &eb), BW_OK);
	va_start(ap, st);
	while ((p = va_arg(ap, const char *)))
		assert_int_equal(vdb_build_add_path(b, p, NULL, &eb), BW_OK);
	va_end(ap);
	if (st)
		vdb_build_get_stats(b, st);
	assert_int_equal(vdb_build_commit(b, &eb), BW_OK);
	assert_int_equal(vdb_open(path, &db, &eb), BW_OK);
	return db;
}

static const struct vdb_entry *find(const struct vdb_entry_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}

static const struct vdb_cvss *cvss_of(const struct vdb_entry *e, int version, const char *source)
{
	for (size_t i = 0; i < e->n_cvss; i++)
		if ((int)e->cvss[i].version == version && strcmp(e->cvss[i].source, source) == 0)
			return &e->cvss[i];
	return NULL;
}

/* ---- OSV JSON ------------------------------------------------------------- */

static void test_osv_json_go(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *e;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("osv-go-one", NULL, vd("osv-go/data/osv/GO-2020-0001.json"), NULL);
	assert_int_equal(vdb_lookup(db, "Go", "github.com/gin-gonic/gin", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	e = &l.v[0];
	/* GO-2020-0001.json: "aliases": ["CVE-2020-36567", "GHSA-6vm3-jj99-7229"],
	 * "summary": "Arbitrary log line injection in github.com/gin-gonic/gin",
	 * "published": "2021-04-14T20:04:52Z", ranges SEMVER introduced 0 fixed 1.6.0 */
	assert_string_equal(e->id, "GO-2020-0001");
	assert_int_equal(e->aliases.n, 2);
	assert_string_equal(e->aliases.v[0], "CVE-2020-36567");
	assert_string_equal(e->aliases.v[1], "GHSA-6vm3-jj99-7229");
	assert_string_equal(e->group, "CVE-2020-36567");
	assert_string_equal(e->summary, "Arbitrary log line injection in github.com/gin-gonic/gin");
	assert_string_equal(e->published, "2021-04-14T20:04:52Z");
	assert_null(e->informational);
	assert_int_equal(e->status, VDB_FIX_NONE);
	assert_int_equal(e->n_ranges, 1);
	assert_int_equal(e->ranges[0].type, VDB_RANGE_SEMVER);
	assert_int_equal(e->ranges[0].n_events, 2);
	assert_int_equal(e->ranges[0].events[0].kind, VDB_EV_INTRODUCED);
	assert_string_equal(e->ranges[0].events[0].version, "0");
	assert_int_equal(e->ranges[0].events[1].kind, VDB_EV_FIXED);
	assert_string_equal(e->ranges[0].events[1].version, "1.6.0");
	assert_string_equal(e->source, "GO-2020-0001.json"); /* the path given */
	vdb_entry_list_release(&l);
	/* An unknown package is not an error and adds nothing. */
	assert_int_equal(vdb_lookup(db, "Go", "github.com/nope/nope", &l, &eb), BW_OK);
	assert_int_equal(l.n, 0);
	assert_true(vdb_has_ecosystem(db, "Go"));
	assert_false(vdb_has_ecosystem(db, "Debian:12"));
	vdb_close(db);
}

static void test_osv_ghsa_severity(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *e;
	const struct vdb_cvss *c;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("ghsa", NULL,
		   vd("osv-npm/advisories/github-reviewed/2022/03/GHSA-xvch-5gv4-984h"), NULL);
	assert_int_equal(vdb_lookup(db, "npm", "minimist", &l, &eb), BW_OK);
	/* The file lists minimist twice in "affected": [1.0.0, 1.2.6) and
	 * [0, 0.2.4); both are returned, in one group. */
	assert_int_equal(l.n, 2);
	e = &l.v[0];
	assert_string_equal(e->id, "GHSA-xvch-5gv4-984h");
	assert_string_equal(e->group, "CVE-2021-44906");
	assert_string_equal(l.v[1].group, "CVE-2021-44906");
	/* "database_specific": {"severity": "CRITICAL"}, severity[0] CVSS_V3 */
	assert_string_equal(e->severity, "CRITICAL");
	assert_string_equal(e->severity_source, "ghsa");
	c = cvss_of(e, 3, "osv");
	assert_non_null(c);
	assert_string_equal(c->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	/* The feed gives no score: computed at build time. NVD's page for
	 * CVE-2021-44906 gives 9.8 CRITICAL for this vector. */
	assert_true(c->score > 9.79 && c->score < 9.81);
	assert_int_equal(e->ranges[0].type, VDB_RANGE_ECOSYSTEM);
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- OSV YAML, PyPI name normalisation, GIT ranges ------------------------- */

static void test_osv_yaml_pypi(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *e;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("pysec", NULL, vd("osv-pypi/vulns/zope"), NULL);
	/* PEP 503: "Zope" and "zope" are the same project. */
	assert_int_equal(vdb_lookup(db, "PyPI", "Zope", &l, &eb), BW_OK);
	/* vulns/zope holds 5 PYSEC files, none withdrawn. */
	assert_int_equal(l.n, 5);
	e = find(&l, "PYSEC-2021-88");
	assert_non_null(e);
	/* PYSEC-2021-88.yaml: ranges GIT (repo https://github.com/zopefoundation/Zope)
	 * then ECOSYSTEM introduced 0, fixed 4.6, introduced 5.0, fixed 5.2;
	 * 33 versions listed (python3 yaml.safe_load count), last 5.1.2. */
	assert_int_equal(e->n_ranges, 2);
	assert_int_equal(e->ranges[0].type, VDB_RANGE_GIT);
	assert_string_equal(e->ranges[0].repo, "https://github.com/zopefoundation/Zope");
	assert_int_equal(e->ranges[1].type, VDB_RANGE_ECOSYSTEM);
	assert_int_equal(e->ranges[1].n_events, 4);
	assert_string_equal(e->ranges[1].events[1].version, "4.6");
	assert_int_equal(e->ranges[1].events[2].kind, VDB_EV_INTRODUCED);
	assert_string_equal(e->ranges[1].events[2].version, "5.0");
	assert_string_equal(e->ranges[1].events[3].version, "5.2");
	assert_int_equal(e->versions.n, 33);
	assert_string_equal(e->versions.v[0], "4.0");
	assert_string_equal(e->versions.v[32], "5.1.2");
	assert_string_equal(e->modified, "2021-06-02T03:47:57.190321Z");
	/* Alias merging must not join different CVEs: PYSEC-2021-88
	 * (CVE-2021-32633) and PYSEC-2021-104 (CVE-2021-32674) both list
	 * GHSA-5pr9-v234-jw36 in their aliases, but they are two CVEs. */
	assert_string_equal(e->group, "CVE-2021-32633");
	assert_string_equal(find(&l, "PYSEC-2021-104")->group, "CVE-2021-32674");
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- RustSec: informational and withdrawn ----------------------------------- */

static void test_rustsec_informational_withdrawn(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	struct vdb_build_stats st;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("rustsec", &st, vd("osv-crates/crates/RUSTSEC-2016-0004.json"),
		   vd("osv-crates/crates/RUSTSEC-2019-0031.json"), NULL);
	/* RUSTSEC-2019-0031.json has "withdrawn": "2020-10-08T12:00:00Z" */
	assert_int_equal(st.withdrawn, 1);
	assert_int_equal(st.advisories, 1);
	assert_int_equal(vdb_lookup(db, "crates.io", "spin", &l, &eb), BW_OK);
	assert_int_equal(l.n, 0);
	/* RUSTSEC-2016-0004.json: libusb, "informational": "unmaintained",
	 * SEMVER introduced 0.0.0-0 fixed 0.3.1-0, no aliases */
	assert_int_equal(vdb_lookup(db, "crates.io", "libusb", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].informational, "unmaintained");
	assert_string_equal(l.v[0].group, "RUSTSEC-2016-0004");
	assert_string_equal(l.v[0].ranges[0].events[1].version, "0.3.1-0");
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- OSV all.zip -------------------------------------------------------------- */

static void test_osv_zip(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	struct vdb_build_stats st;
	struct vdb *db;

	(void)state;
	/* osv-go-all.zip holds GO-2020-0001, -0003 and -0004 copied unchanged. */
	db = build("zip", &st, DATA "/osv-go-all.zip", NULL);
	assert_int_equal(st.advisories, 3);
	assert_int_equal(vdb_lookup(db, "Go", "github.com/nanobox-io/golang-nanoauth", &l, &eb),
			 BW_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].id, "GO-2020-0004");
	/* "introduced": "0.0.0-20160722212129-ac0cc4484ad4" */
	assert_string_equal(l.v[0].ranges[0].events[0].version,
			    "0.0.0-20160722212129-ac0cc4484ad4");
	vdb_entry_list_release(&l);
	vdb_close(db);
}

static void test_osv_duplicates_and_bad_member(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	struct vdb_build_stats st;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	/* The same GO-2020-0001 from the zip and from its file: stored once. */
	db = build("dup", &st, DATA "/osv-go-all.zip", vd("osv-go/data/osv/GO-2020-0001.json"),
		   NULL);
	assert_int_equal(vdb_lookup(db, "Go", "github.com/gin-gonic/gin", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	vdb_entry_list_release(&l);
	vdb_close(db);
	/* osv-bad-member.zip: GO-2020-0003 intact, GO-2020-0001 cut at 300
	 * bytes. The bad member is skipped, the good one read. */
	db = build("badzip", &st, DATA "/osv-bad-member.zip", NULL);
	assert_int_equal(st.advisories, 1);
	assert_int_equal(vdb_lookup(db, "Go", "github.com/revel/revel", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- alias merging across feeds ---------------------------------------------- */

static void test_alias_merge_nsp_ghsa(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *nsp, *ghsa;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("merge", NULL,
		   vd("osv-npm/advisories/github-reviewed/2022/03/GHSA-xvch-5gv4-984h"),
		   DATA "/nsp-overlap", NULL);
	assert_int_equal(vdb_lookup(db, "npm", "minimist", &l, &eb), BW_OK);
	assert_int_equal(l.n, 3);
	nsp = find(&l, "NSWG-ECO-9001");
	ghsa = find(&l, "GHSA-xvch-5gv4-984h");
	assert_non_null(nsp);
	assert_non_null(ghsa);
	/* One CVE, one group: the scan reports CVE-2021-44906 once. */
	assert_string_equal(nsp->group, "CVE-2021-44906");
	assert_string_equal(ghsa->group, "CVE-2021-44906");
	/* OSV data comes first inside a group. */
	assert_string_equal(l.v[0].id, "GHSA-xvch-5gv4-984h");
	assert_string_equal(l.v[2].id, "NSWG-ECO-9001");
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- NSP ------------------------------------------------------------------------ */

static void test_nsp(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_cvss *c;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("nsp", NULL, vd("npm-nodejs-security-wg/vuln/npm/1.json"), NULL);
	assert_int_equal(vdb_lookup(db, "npm", "bassmaster", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	/* 1.json: "cves": ["CVE-2014-7205"], "vulnerable_versions": "<=1.5.1",
	 * "patched_versions": ">=1.5.2", "cvss_score": 6.5,
	 * "title": "Arbitrary JavaScript Execution" */
	assert_string_equal(l.v[0].id, "NSWG-ECO-1");
	assert_string_equal(l.v[0].aliases.v[0], "CVE-2014-7205");
	assert_string_equal(l.v[0].summary, "Arbitrary JavaScript Execution");
	assert_int_equal(l.v[0].vulnerable.n, 1);
	assert_string_equal(l.v[0].vulnerable.v[0], "<=1.5.1");
	assert_string_equal(l.v[0].patched.v[0], ">=1.5.2");
	assert_int_equal(l.v[0].n_ranges, 0);
	c = cvss_of(&l.v[0], 3, "nsp");
	assert_non_null(c);
	assert_string_equal(c->vector, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N");
	assert_true(c->score > 6.49 && c->score < 6.51);
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- ruby-advisory-db ------------------------------------------------------------ */

static void test_rubysec(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *e;
	const struct vdb_cvss *c;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("rubysec", NULL, vd("rubysec/gems/actionpack/CVE-2008-7248.yml"), NULL);
	assert_int_equal(vdb_lookup(db, "RubyGems", "actionpack", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	e = &l.v[0];
	/* CVE-2008-7248.yml: cve: 2008-7248, ghsa: 8fqx-7pv4-3jwm, cvss_v2: 6.8,
	 * unaffected_versions: ["< 2.1.0"], patched_versions: ["~> 2.1.3", ">= 2.2.2"],
	 * date: 2017-10-24 */
	assert_string_equal(e->id, "CVE-2008-7248");
	assert_string_equal(e->aliases.v[0], "GHSA-8fqx-7pv4-3jwm");
	assert_string_equal(e->summary, "Improper Input Validation in rails");
	assert_string_equal(e->published, "2017-10-24");
	assert_int_equal(e->patched.n, 2);
	assert_string_equal(e->patched.v[0], "~> 2.1.3");
	assert_string_equal(e->patched.v[1], ">= 2.2.2");
	assert_int_equal(e->unaffected.n, 1);
	assert_string_equal(e->unaffected.v[0], "< 2.1.0");
	c = cvss_of(e, 2, "rubysec");
	assert_non_null(c);
	assert_null(c->vector);
	assert_true(c->score > 6.79 && c->score < 6.81);
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- Debian --------------------------------------------------------------------- */

static void test_debian_dsa_list(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *e;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("dsa", NULL, vd("debian/data/DSA/list"), vd("debian/data/DLA/list"), NULL);
	/* DSA/list: "[07 Feb 2023] DSA-5343-1 openssl - security update"
	 * {CVE-2022-4304 CVE-2022-4450 CVE-2023-0215 CVE-2023-0286 CVE-2022-2097}
	 * "[bullseye] - openssl 1.1.1n-0+deb11u4" */
	assert_int_equal(vdb_lookup(db, "Debian:11", "openssl", &l, &eb), BW_OK);
	e = find(&l, "CVE-2023-0286");
	assert_non_null(e);
	assert_int_equal(e->status, VDB_FIX_FIXED);
	assert_string_equal(e->fixed_version, "1.1.1n-0+deb11u4");
	assert_string_equal(e->aliases.v[0], "DSA-5343-1");
	assert_string_equal(e->published, "2023-02-07");
	assert_string_equal(e->summary, "DSA-5343-1 openssl - security update");
	/* The DSA bundles five CVEs: each stays its own group. */
	assert_string_equal(e->group, "CVE-2023-0286");
	assert_string_equal(find(&l, "CVE-2022-4304")->group, "CVE-2022-4304");
	vdb_entry_list_release(&l);
	assert_true(vdb_has_ecosystem(db, "Debian:10"));  /* DLA: [buster] */
	assert_false(vdb_has_ecosystem(db, "Debian:12")); /* no bookworm before 2023-06 */
	vdb_close(db);
}

static void test_debian_tracker_json(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *e;
	struct vdb *db;

	(void)state;
	db = build("tracker", NULL, DATA "/debian-tracker.json", NULL);
	assert_int_equal(vdb_lookup(db, "Debian:12", "openssl", &l, &eb), BW_OK);
	assert_int_equal(l.n, 2);
	e = find(&l, "CVE-2023-0286");
	assert_int_equal(e->status, VDB_FIX_FIXED);
	assert_string_equal(e->fixed_version, "3.0.8-1");
	assert_string_equal(e->urgency, "not yet assigned");
	/* "fixed_version": "0" means the release was never affected. */
	e = find(&l, "CVE-2007-5536");
	assert_int_equal(e->status, VDB_FIX_NOT_AFFECTED);
	assert_null(e->fixed_version);
	assert_string_equal(e->urgency, "unimportant");
	vdb_entry_list_release(&l);
	assert_int_equal(vdb_lookup(db, "Debian:12", "curl", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].status, VDB_FIX_NOT_FIXED);
	assert_string_equal(l.v[0].urgency, "low");
	vdb_entry_list_release(&l);
	assert_int_equal(vdb_lookup(db, "Debian:13", "curl", &l, &eb), BW_OK);
	assert_int_equal(l.v[0].status, VDB_FIX_UNDETERMINED);
	vdb_entry_list_release(&l);
	assert_int_equal(vdb_lookup(db, "Debian:11", "openssl", &l, &eb), BW_OK);
	assert_string_equal(l.v[0].fixed_version, "1.1.1n-0+deb11u4");
	vdb_entry_list_release(&l);
	assert_true(vdb_has_ecosystem(db, "Debian:sid"));
	vdb_close(db);
}

/* ---- Alpine ------------------------------------------------------------------------ */

static void test_alpine_secdb_yaml(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	const struct vdb_entry *e;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("secdb", NULL, vd("alpine-secdb/v3.10/main.yaml"),
		   vd("alpine-secdb/v3.3/community.yaml"), NULL);
	/* v3.10/main.yaml: ansible secfixes 2.8.4-r0: [CVE-2019-10206, CVE-2019-10217] */
	assert_int_equal(vdb_lookup(db, "Alpine:v3.10", "ansible", &l, &eb), BW_OK);
	e = find(&l, "CVE-2019-10217");
	assert_non_null(e);
	assert_int_equal(e->status, VDB_FIX_FIXED);
	assert_string_equal(e->fixed_version, "2.8.4-r0");
	assert_string_equal(find(&l, "CVE-2019-10156")->fixed_version, "2.8.2-r0");
	vdb_entry_list_release(&l);
	vdb_close(db);
}

static void test_alpine_secdb_json(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	struct vdb *db;

	(void)state;
	db = build("secdb-json", NULL, DATA "/alpine-v3.19-main.json", NULL);
	assert_int_equal(vdb_lookup(db, "Alpine:v3.19", "openssl", &l, &eb), BW_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(find(&l, "CVE-2023-5678")->fixed_version, "3.1.4-r1");
	/* A version key "0": never affected in this branch. */
	assert_int_equal(find(&l, "CVE-2022-1292")->status, VDB_FIX_NOT_AFFECTED);
	vdb_entry_list_release(&l);
	vdb_close(db);
}

static void test_aports_secfixes(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	/* main/musl.yaml: secfixes: 1.1.15-r4: [CVE-2016-8859]; aports names
	 * no branch, so it is edge. */
	db = build("aports", NULL, vd("alpine-aports-secfixes"), DATA "/aports", NULL);
	assert_int_equal(vdb_lookup(db, "Alpine:edge", "musl", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].id, "CVE-2016-8859");
	assert_string_equal(l.v[0].fixed_version, "1.1.15-r4");
	vdb_entry_list_release(&l);
	/* The APKBUILD fixture's block: 7.80.0-r3: [CVE-2022-32252], 0: [CVE-2021-22897].
	 * curl.yaml from vulndata lists the same, so both files give one group. */
	assert_int_equal(vdb_lookup(db, "Alpine:edge", "curl", &l, &eb), BW_OK);
	assert_non_null(find(&l, "CVE-2022-32252"));
	assert_string_equal(find(&l, "CVE-2022-32252")->fixed_version, "7.80.0-r3");
	assert_int_equal(find(&l, "CVE-2021-22897")->status, VDB_FIX_NOT_AFFECTED);
	assert_string_equal(find(&l, "CVE-2022-27774")->fixed_version, "7.80.0-r1");
	vdb_entry_list_release(&l);
	vdb_close(db);
}

/* ---- NVD, KEV, EPSS --------------------------------------------------------------- */

static void test_nvd(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct vdb_cvss *c = NULL;
	size_t n = 0;
	struct vdb *db;

	(void)state;
	db = build("nvd", NULL, DATA "/nvd-cve-2.0.json", NULL);
	assert_int_equal(vdb_nvd_cvss(db, "CVE-2021-44228", &c, &n, &eb), BW_OK);
	/* Ordered v3 then v2; the v3.1 kept is the "Primary" one (A:H), not the
	 * "Secondary" listed first (A:L). */
	assert_int_equal(n, 2);
	assert_int_equal(c[0].version, VDB_CVSS_V3);
	assert_string_equal(c[0].vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
	assert_true(c[0].score > 9.99);
	assert_int_equal(c[1].version, VDB_CVSS_V2);
	assert_string_equal(c[1].vector, "AV:N/AC:M/Au:N/C:C/I:C/A:C");
	assert_true(c[1].score > 9.29 && c[1].score < 9.31);
	vdb_cvss_list_free(c, n);
	c = NULL;
	n = 0;
	assert_int_equal(vdb_nvd_cvss(db, "CVE-2000-0001", &c, &n, &eb), BW_OK);
	assert_int_equal(n, 0);
	vdb_close(db);
}

static void test_kev_json_csv(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct vdb_kev k;
	json_t *info = NULL;
	struct vdb *db;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("kev-json", NULL, vd("kev/known_exploited_vulnerabilities.json"), NULL);
	/* First entry: "cveID": "CVE-2025-48384", "dateAdded": "2025-08-25",
	 * "knownRansomwareCampaignUse": "Unknown"; the catalog's "count": 1404 */
	assert_int_equal(vdb_kev_get(db, "CVE-2025-48384", &k, &eb), BW_OK);
	assert_string_equal(k.date_added, "2025-08-25");
	assert_string_equal(k.ransomware, "Unknown");
	assert_false(k.known_ransomware);
	assert_int_equal(vdb_kev_get(db, "CVE-1999-99999", &k, &eb), BW_ERR_NOT_FOUND);
	assert_int_equal(vdb_info_json(db, &info, &eb), BW_OK);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(info, "counts"), "kev")),
			 1404);
	json_decref(info);
	vdb_close(db);
	/* The CSV has the same 1404 rows (quoted fields with commas inside). */
	db = build("kev-csv", NULL, vd("kev/known_exploited_vulnerabilities.csv"), NULL);
	assert_int_equal(vdb_kev_get(db, "CVE-2024-8068", &k, &eb), BW_OK);
	assert_string_equal(k.date_added, "2025-08-25");
	assert_int_equal(vdb_info_json(db, &info, &eb), BW_OK);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(info, "counts"), "kev")),
			 1404);
	json_decref(info);
	vdb_close(db);
}

static void test_epss(void **state)
{
	struct bw_errbuf eb = {{0}};
	double s = 0, p = 0;
	struct vdb *db;

	(void)state;
	db = build("epss", NULL, DATA "/epss.csv", NULL);
	assert_int_equal(vdb_epss_get(db, "CVE-2021-44228", &s, &p, &eb), BW_OK);
	assert_true(s > 0.94357 && s < 0.94359);
	assert_true(p > 0.99957 && p < 0.99959);
	assert_int_equal(vdb_epss_get(db, "CVE-2000-1", &s, &p, &eb), BW_ERR_NOT_FOUND);
	vdb_close(db);
	/* The same rows gzip-compressed, as the feed is published. */
	db = build("epss-gz", NULL, DATA "/epss-current.csv.gz", NULL);
	assert_int_equal(vdb_epss_get(db, "CVE-1999-0001", &s, &p, &eb), BW_OK);
	assert_true(s > 0.01154 && s < 0.01156);
	vdb_close(db);
}

/* ---- bad input, atomicity, names ----------------------------------------------- */

static void test_bad_file_is_warning(void **state)
{
	struct vdb_entry_list l = {0};
	struct bw_errbuf eb = {{0}};
	struct vdb_build_stats st;
	struct vdb *db;

	(void)state;
	/* bad/ holds a truncated GO-2020-0001 and an intact GO-2020-0003. */
	db = build("bad", &st, DATA "/bad", NULL);
	assert_int_equal(st.bad_files, 1);
	assert_int_equal(st.files, 1);
	assert_int_equal(vdb_lookup(db, "Go", "github.com/revel/revel", &l, &eb), BW_OK);
	assert_int_equal(l.n, 1);
	vdb_entry_list_release(&l);
	vdb_close(db);
}

static void test_abort_keeps_old(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct vdb_builder *b = NULL;
	struct vdb_entry_list l = {0};
	struct vdb *db;
	char path[512];

	(void)state;
	db = build("atomic", NULL, DATA "/alpine-v3.19-main.json", NULL);
	vdb_close(db);
	snprintf(path, sizeof(path), "%s/atomic.sqlite", tmpdir);
	assert_int_equal(vdb_build_begin(path, &b, &eb), BW_OK);
	assert_int_equal(vdb_build_add_path(b, DATA "/epss.csv", NULL, &eb), BW_OK);
	vdb_build_abort(b);
	assert_int_equal(vdb_open(path, &db, &eb), BW_OK);
	assert_int_equal(vdb_lookup(db, "Alpine:v3.19", "busybox", &l, &eb), BW_OK);
	assert_int_equal(l.n, 2);
	vdb_entry_list_release(&l);
	assert_true(vdb_age_seconds(db) >= 0 && vdb_age_seconds(db) < 600);
	vdb_close(db);
	/* No temporary file left behind. */
	assert_int_equal(system("ls /tmp/bw-vdb-test.*/atomic.sqlite.tmp-* >/dev/null 2>&1"),
			 512 /* ls exit 2 */);
	/* A missing path is an error naming it; not a Bulwark DB is refused. */
	assert_int_equal(vdb_open("/nonexistent/x.sqlite", &db, &eb), BW_ERR_NOT_FOUND);
	assert_non_null(strstr(eb.msg, "/nonexistent/x.sqlite"));
	assert_int_not_equal(vdb_open(DATA "/epss.csv", &db, &eb), BW_OK);
}

static void test_names(void **state)
{
	char out[32];

	(void)state;
	assert_string_equal(vdb_debian_codename_version("bookworm"), "12");
	assert_string_equal(vdb_debian_codename_version("bullseye"), "11");
	assert_string_equal(vdb_debian_codename_version("buster"), "10");
	assert_string_equal(vdb_debian_codename_version("trixie"), "13");
	assert_null(vdb_debian_codename_version("nope"));
	assert_int_equal(vdb_distro_ecosystem("debian", "12", out, sizeof(out)), BW_OK);
	assert_string_equal(out, "Debian:12");
	assert_int_equal(vdb_distro_ecosystem("debian", "11.7", out, sizeof(out)), BW_OK);
	assert_string_equal(out, "Debian:11");
	assert_int_equal(vdb_distro_ecosystem("alpine", "3.19.1", out, sizeof(out)), BW_OK);
	assert_string_equal(out, "Alpine:v3.19");
	assert_int_equal(vdb_distro_ecosystem("alpine", "3.10.0", out, sizeof(out)), BW_OK);
	assert_string_equal(out, "Alpine:v3.10");
	assert_int_equal(vdb_distro_ecosystem("alpine", "3.21_alpha20240807", out, sizeof(out)),
			 BW_OK);
	assert_string_equal(out, "Alpine:edge");
	assert_int_equal(vdb_distro_ecosystem("fedora", "40", out, sizeof(out)),
			 BW_ERR_UNSUPPORTED);
	assert_int_equal(vdb_distro_ecosystem("alpine", "3.19.1", out, 5), BW_ERR_LIMIT);
}

/* ---- everything ---------------------------------------------------------------- */

static void test_build_all_vulndata(void **state)
{
	struct bw_errbuf eb = {{0}};
	struct vdb_build_stats st;
	json_t *info = NULL, *srcs, *s;
	uint64_t t0 = bw_time_mono_ns();
	struct vdb *db;
	struct stat sb;
	char path[512];
	size_t i;
	bool saw_go = false;

	(void)state;
	if (!have_vulndata())
		skip();
	db = build("all", &st, vulndata, NULL);
	snprintf(path, sizeof(path), "%s/all.sqlite", tmpdir);
	assert_int_equal(stat(path, &sb), 0);
	print_message("# build from all of vulndata: %.2f s (incl. open), %lld bytes, "
		      "%llu advisories, %llu files\n",
		      (double)(bw_time_mono_ns() - t0) / 1e9, (long long)sb.st_size,
		      (unsigned long long)st.advisories, (unsigned long long)st.files);
	assert_int_equal(st.bad_files, 0);
	/* Withdrawn: grep -l '"withdrawn"' counts 17 in osv-go and 13 in
	 * osv-crates; grep -l '^withdrawn' 10 in osv-pypi. */
	assert_int_equal(st.withdrawn, 17 + 13 + 10);
	assert_int_equal(vdb_info_json(db, &info, &eb), BW_OK);
	srcs = json_object_get(info, "sources");
	json_array_foreach(srcs, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "name")), "osv-go") != 0)
			continue;
		saw_go = true;
		/* osv-go/SOURCE.txt: 4291 OSV records; 17 are withdrawn. */
		assert_int_equal(json_integer_value(json_object_get(s, "files")), 4291);
		assert_int_equal(json_integer_value(json_object_get(s, "records")), 4291 - 17);
		assert_string_equal(json_string_value(json_object_get(s, "repo")),
				    "https://github.com/golang/vulndb");
		assert_string_equal(json_string_value(json_object_get(s, "commit")),
				    "a752ea54fd1b989d208a270aeef772f55a36b87a");
		assert_non_null(strstr(json_string_value(json_object_get(s, "attribution")),
				       "Go Vulnerability Database"));
	}
	assert_true(saw_go);
	assert_int_equal(json_integer_value(json_object_get(info, "schema_version")),
			 VDB_SCHEMA_VERSION);
	json_decref(info);
	vdb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osv_json_go),
		cmocka_unit_test(test_osv_ghsa_severity),
		cmocka_unit_test(test_osv_yaml_pypi),
		cmocka_unit_test(test_rustsec_informational_withdrawn),
		cmocka_unit_test(test_osv_zip),
		cmocka_unit_test(test_osv_duplicates_and_bad_member),
		cmocka_unit_test(test_alias_merge_nsp_ghsa),
		cmocka_unit_test(test_nsp),
		cmocka_unit_test(test_rubysec),
		cmocka_unit_test(test_debian_dsa_list),
		cmocka_unit_test(test_debian_tracker_json),
		cmocka_unit_test(test_alpine_secdb_yaml),
		cmocka_unit_test(test_alpine_secdb_json),
		cmocka_unit_test(test_aports_secfixes),
		cmocka_unit_test(test_nvd),
		cmocka_unit_test(test_kev_json_csv),
		cmocka_unit_test(test_epss),
		cmocka_unit_test(test_bad_file_is_warning),
		cmocka_unit_test(test_abort_keeps_old),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_build_all_vulndata),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
