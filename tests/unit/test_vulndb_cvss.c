/* test_vulndb_cvss.c - CVSS scores from FIRST's specification documents
 * and NVD records (each group cites its source), and strict parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vulndb/cvss.h"

struct vec {
	const char *vector;
	int score10;
};

static void check(const struct vec *v, size_t n, const char *what)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct vdb_cvss_result r;
		struct bw_errbuf eb = {0};
		enum bw_err e = vdb_cvss_compute(v[i].vector, &r, &eb);
		if (e != BW_OK || r.score10 != v[i].score10) {
			printf("# FAIL %s: %s: got %d (%s), want %d\n", what, v[i].vector, r.score10,
			       bw_errmsg(&eb, e), v[i].score10);
			bad++;
		}
	}
	printf("# %s: %zu/%zu vectors pass\n", what, n - (size_t)bad, n);
	assert_int_equal(bad, 0);
}

/* CVSS v3.1 Examples document (https://www.first.org/cvss/v3.1/examples),
 * base scores per CVE; CVE-2021-44228 from its NVD record. */
static void t_v31(void **state)
{
	static const struct vec v[] = {
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 61}, /* CVE-2013-1937 */
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 64}, /* CVE-2013-0375 */
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 31}, /* CVE-2014-3566 */
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 99}, /* CVE-2012-1516 */
		{"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 42}, /* CVE-2009-0783 */
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 88}, /* CVE-2012-0384 */
		{"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 78}, /* CVE-2015-1098 */
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 75}, /* CVE-2014-0160 */
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98}, /* CVE-2014-6271 */
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 68}, /* CVE-2008-1447 */
		{"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 68}, /* CVE-2014-2005 */
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 58}, /* CVE-2010-0467 */
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 58}, /* CVE-2012-1342 */
		{"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 93}, /* CVE-2013-6014 */
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 100}, /* NVD CVE-2021-44228 */
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},   /* impact 0: score 0 */
		/* temporal/environmental metrics are accepted, base unchanged */
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/MAV:L", 98},
	};
	check(v, sizeof(v) / sizeof(v[0]), "v3.1");
}

/* CVSS v3.0 (https://www.first.org/cvss/v3.0/examples, same CVEs as 3.1
 * where the two agree) */
static void t_v30(void **state)
{
	static const struct vec v[] = {
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 75}, /* CVE-2014-0160 */
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98}, /* CVE-2014-6271 */
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 61}, /* CVE-2013-1937 */
		{"CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 99}, /* CVE-2012-1516 */
	};
	check(v, sizeof(v) / sizeof(v[0]), "v3.0");
}

/* CVSS v2 Complete Documentation, section 3.3 examples (CVE-2002-0392,
 * CVE-2003-0818, CVE-2003-0062), and NVD v2 records. */
static void t_v2(void **state)
{
	static const struct vec v[] = {
		{"AV:N/AC:L/Au:N/C:N/I:N/A:C", 78},  /* CVE-2002-0392 */
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C", 100}, /* CVE-2003-0818 */
		{"AV:L/AC:H/Au:N/C:C/I:C/A:C", 62},  /* CVE-2003-0062 */
		{"AV:N/AC:L/Au:N/C:P/I:N/A:N", 50},  /* NVD CVE-2014-0160 */
		{"AV:N/AC:M/Au:N/C:C/I:C/A:C", 93},  /* NVD CVE-2021-44228 */
		{"(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 75},
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C", 75},
	};
	check(v, sizeof(v) / sizeof(v[0]), "v2");
}

/* CVSS v4.0 Examples (https://www.first.org/cvss/v4.0/examples): the
 * vector and score FIRST gives for each example. */
static void t_v40(void **state)
{
	static const struct vec v[] = {
		{"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 73},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 77},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 52},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N", 83},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L",
		 81},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 46},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 51},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 69},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/SA:N", 59},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 94},
		{"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:H/SA:N/S:P/V:D", 83},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:A", 87},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A", 100},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A", 93},
		{"CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:H/SI:N/SA:H", 64},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I", 93},
		{"CVSS:4.0/AV:L/AC:L/AT:P/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I", 87},
		{"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 86},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 71},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 82},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L", 87},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L/E:U", 66},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 51},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 77},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N", 83},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:U", 56},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 85},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A", 92},
		{"CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 54},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 87},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 69},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 93},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N", 69},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P", 85},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:P/AU:Y/V:C/RE:L", 94},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:L/IR:H/AR:L/MAV:L/MAC:H/MAT:N/MPR:N/MUI:N/MVC:N/MVI:H/MVA:L/MSC:N/MSI:S/MSA:L",
		 70},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MAV:A/MAC:H/MAT:N/MPR:L/MUI:N/MVC:L/MVI:H/MVA:H/MSC:L/MSI:S/MSA:S/CR:L/IR:H/AR:H/E:P",
		 74},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MAV:N/MAC:H/MAT:N/MPR:L/MUI:N/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:H/CR:M/IR:H/AR:M/E:P",
		 87},
		{"CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/S:P", 86},
		{"CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P", 97},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/V:C", 87},
		/* no impact at all: 0 (v4.0 specification, the calculator's shortcut) */
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0},
	};
	check(v, sizeof(v) / sizeof(v[0]), "v4.0");
}

static void t_strict(void **state)
{
	static const struct {
		const char *vector;
		enum bw_err want;
		const char *msg;
	} v[] = {
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", BW_ERR_FORMAT, "base metric A missing"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L", BW_ERR_FORMAT, "AV given twice"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:X", BW_ERR_FORMAT, "unknown metric \"XX\""},
		{"CVSS:3.1/AV:J/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BW_ERR_FORMAT, "AV has no value \"J\""},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", BW_ERR_FORMAT, "trailing"},
		{"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BW_ERR_FORMAT, "offset 14"},
		{"CVSS:3.1/", BW_ERR_FORMAT, "no metrics"},
		{"CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BW_ERR_UNSUPPORTED, "unknown CVSS version"},
		{"CVSS:4.0/AV:F/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", BW_ERR_FORMAT, "AV has no value"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/ui:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", BW_ERR_FORMAT, "unknown metric"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/SC:N/SI:N/SA:N", BW_ERR_FORMAT, "VA missing"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:S/SA:N", BW_ERR_FORMAT, "SI has no value"},
		{"AV:N/AC:L/Au:N/C:P/I:P", BW_ERR_FORMAT, "base metric A missing"},
		{"AV:N/AC:L/PR:N/C:P/I:P/A:P", BW_ERR_FORMAT, "unknown metric \"PR\""},
		{"", BW_ERR_FORMAT, "no metrics"},
		{"CVSS:3.1", BW_ERR_FORMAT, "expected CVSS:x.y/"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct vdb_cvss_result r;
		struct bw_errbuf eb = {0};
		enum bw_err e = vdb_cvss_compute(v[i].vector, &r, &eb);
		if (e != v[i].want || !strstr(eb.msg, v[i].msg))
			fail_msg("%s: got %d \"%s\"", v[i].vector, e, eb.msg);
	}
	struct vdb_cvss_result r;
	assert_int_equal(vdb_cvss_compute(NULL, &r, NULL), BW_ERR_USAGE);
	char big[VDB_CVSS_MAX_VECTOR + 20];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(vdb_cvss_compute(big, &r, NULL), BW_ERR_LIMIT);
}

/* Qualitative Severity Rating Scale (CVSS v3.1 specification 5, v4.0
 * specification 6): None 0.0, Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9,
 * Critical 9.0-10.0 */
static void t_rating(void **state)
{
	assert_int_equal(vdb_cvss_rating(0.0), VDB_CVSS_RATING_NONE);
	assert_int_equal(vdb_cvss_rating(0.1), VDB_CVSS_RATING_LOW);
	assert_int_equal(vdb_cvss_rating(3.9), VDB_CVSS_RATING_LOW);
	assert_int_equal(vdb_cvss_rating(4.0), VDB_CVSS_RATING_MEDIUM);
	assert_int_equal(vdb_cvss_rating(6.9), VDB_CVSS_RATING_MEDIUM);
	assert_int_equal(vdb_cvss_rating(7.0), VDB_CVSS_RATING_HIGH);
	assert_int_equal(vdb_cvss_rating(8.9), VDB_CVSS_RATING_HIGH);
	assert_int_equal(vdb_cvss_rating(9.0), VDB_CVSS_RATING_CRITICAL);
	assert_int_equal(vdb_cvss_rating(10.0), VDB_CVSS_RATING_CRITICAL);
	assert_string_equal(vdb_cvss_rating_name(VDB_CVSS_RATING_HIGH), "High");
	struct vdb_cvss_result r;
	assert_int_equal(vdb_cvss_compute("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &r, NULL), BW_OK);
	assert_int_equal(r.major, 3);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.rating, VDB_CVSS_RATING_CRITICAL);
	assert_true(r.score > 9.79 && r.score < 9.81);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_v31), cmocka_unit_test(t_v30), cmocka_unit_test(t_v2),
		cmocka_unit_test(t_v40), cmocka_unit_test(t_strict), cmocka_unit_test(t_rating),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
