// SPDX-License-Identifier: GPL-2.0
/* user/check.c: the verdict rule, the exit code, and the exact table and
 * JSON a user sees for a fixed set of outcomes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "check.h"
#include "check_cases.h"
#include "peelbench.h"

static const struct check_case einval = {
	"einval-unknown-id", "EINVAL: the association id is invalid",
	"sctp_peeloff(3) ERRORS", "EINVAL", NULL, NULL, NULL, NULL, NULL,
};

static const struct check_case so_type = {
	"so-type-one-to-one", "the new socket is one-to-one style",
	"RFC 6458 9.2", "SOCK_STREAM", "SOCK_SEQPACKET",
	"lksctp-tools issue #70", NULL, NULL, NULL,
};

static void outcome(struct check_outcome *o, const struct check_case *c,
		    const char *observed)
{
	o->c = c;
	snprintf(o->observed, sizeof(o->observed), "%s", observed);
	o->kernel_log[0] = '\0';
	o->verdict = check_verdict(c, observed);
}

static void test_expected_observed_is_pass(void **state)
{
	struct check_outcome o;

	outcome(&o, &einval, "EINVAL");
	assert_int_equal(o.verdict, CHECK_PASS);
	assert_string_equal(check_verdict_name(o.verdict), "pass");
	assert_string_equal(check_reference(&o), "sctp_peeloff(3) ERRORS");
	assert_int_equal(check_exit_code(&o, 1), PB_EXIT_OK);
}

static void test_other_errno_is_fail_and_exit_1(void **state)
{
	struct check_outcome o[2];

	outcome(&o[0], &einval, "EINVAL");
	outcome(&o[1], &einval, "ENOENT");
	assert_int_equal(o[1].verdict, CHECK_FAIL);
	assert_string_equal(check_verdict_name(o[1].verdict), "fail");
	/* One fail among passes is enough for a non-zero exit. */
	assert_int_equal(check_exit_code(o, 2), PB_EXIT_FOUND);
	/* A case that could not set up is a fail too. */
	outcome(&o[1], &einval, "setup: connect to 127.0.0.1: ECONNREFUSED");
	assert_int_equal(o[1].verdict, CHECK_FAIL);
	assert_int_equal(check_exit_code(o, 2), PB_EXIT_FOUND);
}

static void test_known_deviation_matched(void **state)
{
	struct check_outcome o[2];

	outcome(&o[0], &so_type, "SOCK_SEQPACKET");
	outcome(&o[1], &so_type, "SOCK_STREAM");
	assert_int_equal(o[0].verdict, CHECK_KNOWN_DEVIATION);
	assert_string_equal(check_verdict_name(o[0].verdict), "known deviation");
	assert_string_equal(check_reference(&o[0]), "lksctp-tools issue #70");
	/* Once fixed, it is a plain pass quoting the promise's source. */
	assert_int_equal(o[1].verdict, CHECK_PASS);
	assert_string_equal(check_reference(&o[1]), "RFC 6458 9.2");
	assert_int_equal(check_exit_code(o, 2), PB_EXIT_OK);
}

static void test_deviation_that_deviates_again_is_fail(void **state)
{
	struct check_outcome o;

	outcome(&o, &so_type, "SOCK_DGRAM");
	assert_int_equal(o.verdict, CHECK_FAIL);
	assert_string_equal(check_reference(&o), "RFC 6458 9.2");
	assert_int_equal(check_exit_code(&o, 1), PB_EXIT_FOUND);
}

static void fixed_outcomes(struct check_outcome o[3])
{
	outcome(&o[0], &einval, "EINVAL");
	outcome(&o[1], &so_type, "SOCK_SEQPACKET");
	outcome(&o[2], &einval, "returned fd");
}

static void test_table_text(void **state)
{
	struct check_outcome o[3];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	fixed_outcomes(o);
	check_print_table(f, o, 3);
	fclose(f);
	assert_string_equal(text,
		"CASE                EXPECTED     OBSERVED        VERDICT\n"
		"einval-unknown-id   EINVAL       EINVAL          pass\n"
		"so-type-one-to-one  SOCK_STREAM  SOCK_SEQPACKET  known deviation (lksctp-tools issue #70)\n"
		"einval-unknown-id   EINVAL       returned fd     fail (sctp_peeloff(3) ERRORS)\n"
		"3 cases: 1 pass, 1 fail, 1 known deviation\n");
	free(text);
}

static void test_json_text(void **state)
{
	const struct check_env env = { "6.1.0-50-amd64", "x86_64",
				       "2026-11-30T01:02:03Z" };
	struct check_outcome o[3];
	struct json_object *root;

	fixed_outcomes(o);
	root = check_result_json(&env, o, 3);
	assert_non_null(root);
	assert_string_equal(json_object_to_json_string_ext(root,
				JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		"{\"schema\":\"peelbench-result/1\",\"complete\":true,"
		"\"created\":\"2026-11-30T01:02:03Z\","
		"\"tool\":{\"version\":\"" PEELBENCH_VERSION "\"},"
		"\"env\":{\"kernel\":\"6.1.0-50-amd64\",\"arch\":\"x86_64\"},"
		"\"metrics\":{},"
		"\"check\":{\"cases\":["
		"{\"name\":\"einval-unknown-id\","
		"\"promise\":\"EINVAL: the association id is invalid\","
		"\"expected\":\"EINVAL\",\"observed\":\"EINVAL\","
		"\"verdict\":\"pass\",\"reference\":\"sctp_peeloff(3) ERRORS\"},"
		"{\"name\":\"so-type-one-to-one\","
		"\"promise\":\"the new socket is one-to-one style\","
		"\"expected\":\"SOCK_STREAM\",\"observed\":\"SOCK_SEQPACKET\","
		"\"verdict\":\"known deviation\","
		"\"reference\":\"lksctp-tools issue #70\"},"
		"{\"name\":\"einval-unknown-id\","
		"\"promise\":\"EINVAL: the association id is invalid\","
		"\"expected\":\"EINVAL\",\"observed\":\"returned fd\","
		"\"verdict\":\"fail\",\"reference\":\"sctp_peeloff(3) ERRORS\"}],"
		"\"summary\":{\"pass\":1,\"fail\":1,\"known_deviation\":1,"
		"\"not_applicable\":0}}}");
	json_object_put(root);
}

/* The real table: names unique (compare matches cases by name), every
 * case with a promise, a source, an expectation and a runner, and every
 * known deviation with its reference. */
static void test_case_table_is_complete(void **state)
{
	size_t i, j;

	assert_true(check_ncases >= 20);
	for (i = 0; i < check_ncases; i++) {
		const struct check_case *c = &check_cases[i];

		assert_non_null(c->promise);
		assert_non_null(c->source);
		assert_non_null(c->expected);
		assert_true(!c->run != !c->run_arg);
		assert_true(!c->run_arg == !c->arg);
		assert_true(!c->deviation == !c->deviation_ref);
		for (j = i + 1; j < check_ncases; j++)
			assert_string_not_equal(c->name, check_cases[j].name);
	}
}

/* A warning the kernel logged during a case fails it, whatever the case
 * observed, and the line is in the table and the JSON. */
static void test_kernel_log_fails_the_case(void **state)
{
	struct check_outcome o;
	struct json_object *root, *cases, *c, *v;
	const struct check_env env = { "7.3.4+deb13-amd64", "x86_64",
				       "2026-12-02T00:00:00Z" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	outcome(&o, &einval, "EINVAL");
	assert_int_equal(o.verdict, CHECK_PASS);
	snprintf(o.kernel_log, sizeof(o.kernel_log),
		 "refcount_t: underflow; use-after-free.");
	o.verdict = check_outcome_verdict(&o);
	assert_int_equal(o.verdict, CHECK_FAIL);
	assert_int_equal(check_exit_code(&o, 1), PB_EXIT_FOUND);
	check_print_table(f, &o, 1);
	fclose(f);
	assert_string_equal(text,
		"CASE               EXPECTED  OBSERVED  VERDICT\n"
		"einval-unknown-id  EINVAL    EINVAL    fail (sctp_peeloff(3) ERRORS)\n"
		"  kernel log: refcount_t: underflow; use-after-free.\n"
		"1 cases: 0 pass, 1 fail, 0 known deviation\n");
	free(text);
	root = check_result_json(&env, &o, 1);
	assert_non_null(root);
	json_object_object_get_ex(json_object_object_get(root, "check"), "cases", &cases);
	c = json_object_array_get_idx(cases, 0);
	assert_true(json_object_object_get_ex(c, "kernel_log", &v));
	assert_string_equal(json_object_get_string(v),
			    "refcount_t: underflow; use-after-free.");
	assert_true(json_object_object_get_ex(c, "verdict", &v));
	assert_string_equal(json_object_get_string(v), "fail");
	json_object_put(root);
}

/* An option the kernel lacks is "not applicable": not a fail, counted
 * apart. */
static void test_not_applicable(void **state)
{
	struct check_outcome o[2];
	struct check_summary s;

	outcome(&o[0], &einval, "EINVAL");
	outcome(&o[1], &einval, CHECK_NOT_APPLICABLE_OBS);
	assert_int_equal(o[1].verdict, CHECK_NOT_APPLICABLE);
	assert_string_equal(check_verdict_name(o[1].verdict), "not applicable");
	s = check_summarize(o, 2);
	assert_int_equal(s.pass, 1);
	assert_int_equal(s.not_applicable, 1);
	assert_int_equal(s.fail, 0);
	assert_int_equal(check_exit_code(o, 2), PB_EXIT_OK);
}

static const struct check_case *find_case(const char *name)
{
	size_t i;

	for (i = 0; i < check_ncases; i++)
		if (!strcmp(check_cases[i].name, name))
			return &check_cases[i];
	return NULL;
}

/* The inheritance grade, and a planted option that is not inherited:
 * fail where the table promises inheritance, known deviation where the
 * older kernels' reset is recorded, pass where reset is the promise. */
static void test_inherit_grade_and_verdicts(void **state)
{
	const struct check_case *nodelay = find_case("inherit-SCTP_NODELAY");
	const struct check_case *tos = find_case("inherit-IP_TOS");
	const struct check_case *asconf = find_case("inherit-SCTP_AUTO_ASCONF");
	char g[CHECK_OBSERVED_MAX];

	assert_non_null(nodelay);
	assert_non_null(tos);
	assert_non_null(asconf);
	check_inherit_grade(0, 1, 1, g, sizeof(g));
	assert_string_equal(g, "inherited");
	assert_int_equal(check_verdict(nodelay, g), CHECK_PASS);
	check_inherit_grade(0, 1, 0, g, sizeof(g));	/* planted: not inherited */
	assert_string_equal(g, "reset");
	assert_int_equal(check_verdict(nodelay, g), CHECK_FAIL);
	assert_int_equal(check_verdict(tos, g), CHECK_KNOWN_DEVIATION);
	assert_int_equal(check_verdict(asconf, g), CHECK_PASS);
	check_inherit_grade(0, 1, 7, g, sizeof(g));
	assert_string_equal(g, "other (parent 1, default 0, peeled 7)");
	assert_int_equal(check_verdict(nodelay, g), CHECK_FAIL);
	assert_int_equal(check_verdict(asconf, g), CHECK_FAIL);
}

/* The SCTP-AUTH and IPv6-level rows: a planted option that is not
 * inherited fails the AUTH ones (the association's own values, on every
 * kernel) and is the recorded deviation of the IPv6 ones (<= 6.18 makes
 * a fresh inet6 socket); an option the kernel lacks is not applicable;
 * each row names where its expectation comes from. */
static void test_auth_and_ipv6_rows(void **state)
{
	static const char *const auth[] = {
		"inherit-SCTP_AUTH_SUPPORTED", "inherit-SCTP_AUTH_CHUNK",
		"inherit-SCTP_AUTH_ACTIVE_KEY", "inherit-SCTP_PEER_AUTH_CHUNKS",
	};
	static const char *const v6[] = {
		"inherit-IPV6_UNICAST_HOPS", "inherit-IPV6_MULTICAST_HOPS",
		"inherit-IPV6_MULTICAST_LOOP", "inherit-IPV6_TCLASS",
		"inherit-IPV6_RECVPKTINFO", "inherit-IPV6_RECVTCLASS",
		"inherit-IPV6_FLOWINFO", "inherit-IPV6_MTU_DISCOVER",
		"inherit-IPV6_DONTFRAG",
	};
	char g[CHECK_OBSERVED_MAX];
	size_t i;

	check_inherit_grade(0, 1, 0, g, sizeof(g));	/* planted: reset */
	for (i = 0; i < sizeof(auth) / sizeof(auth[0]); i++) {
		const struct check_case *c = find_case(auth[i]);

		assert_non_null(c);
		assert_int_equal(check_verdict(c, "inherited"), CHECK_PASS);
		assert_int_equal(check_verdict(c, g), CHECK_FAIL);
		assert_int_equal(check_verdict(c, CHECK_NOT_APPLICABLE_OBS), CHECK_NOT_APPLICABLE);
		assert_true(strstr(c->source, "RFC 6458") || strstr(c->source, "net/sctp/"));
	}
	assert_non_null(strstr(find_case("inherit-SCTP_AUTH_ACTIVE_KEY")->source, "RFC 6458 8.1.18"));
	assert_non_null(strstr(find_case("inherit-SCTP_PEER_AUTH_CHUNKS")->source, "RFC 6458 8.2.3"));
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		const struct check_case *c = find_case(v6[i]);

		assert_non_null(c);
		assert_int_equal(check_verdict(c, "inherited"), CHECK_PASS);
		assert_int_equal(check_verdict(c, g), CHECK_KNOWN_DEVIATION);
		assert_non_null(strstr(c->deviation_ref, "sctp_v6_copy_ip_options()"));
		assert_non_null(strstr(c->source, "b7ddb55f3127"));
		check_inherit_grade(64, 33, 7, g, sizeof(g));
		assert_int_equal(check_verdict(c, g), CHECK_FAIL);
		check_inherit_grade(0, 1, 0, g, sizeof(g));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_and_ipv6_rows),
		cmocka_unit_test(test_expected_observed_is_pass),
		cmocka_unit_test(test_other_errno_is_fail_and_exit_1),
		cmocka_unit_test(test_known_deviation_matched),
		cmocka_unit_test(test_deviation_that_deviates_again_is_fail),
		cmocka_unit_test(test_table_text),
		cmocka_unit_test(test_json_text),
		cmocka_unit_test(test_case_table_is_complete),
		cmocka_unit_test(test_kernel_log_fails_the_case),
		cmocka_unit_test(test_not_applicable),
		cmocka_unit_test(test_inherit_grade_and_verdicts),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
