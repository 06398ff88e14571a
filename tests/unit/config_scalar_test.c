/* PyYAML safe_load (YAML 1.1) typing of plain scalars: every row was
 * produced by PyYAML 6 (yaml.safe_load("k: " + text)); kylecode must type
 * the same text the same way, so a config means the same to both. The
 * integration test config_typing_oracle compares against live PyYAML. */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include "lib/config/config_int.h"

struct row {
	const char *text;
	enum kc_scalar_kind kind;
	double value;
};

static const struct row rows[] = {
    {"yes", KC_SCALAR_TRUE, 0},
    {"Yes", KC_SCALAR_TRUE, 0},
    {"YES", KC_SCALAR_TRUE, 0},
    {"yEs", KC_SCALAR_STR, 0},
    {"y", KC_SCALAR_STR, 0},
    {"n", KC_SCALAR_STR, 0},
    {"on", KC_SCALAR_TRUE, 0},
    {"On", KC_SCALAR_TRUE, 0},
    {"ON", KC_SCALAR_TRUE, 0},
    {"oN", KC_SCALAR_STR, 0},
    {"off", KC_SCALAR_FALSE, 0},
    {"Off", KC_SCALAR_FALSE, 0},
    {"OFF", KC_SCALAR_FALSE, 0},
    {"true", KC_SCALAR_TRUE, 0},
    {"True", KC_SCALAR_TRUE, 0},
    {"TRUE", KC_SCALAR_TRUE, 0},
    {"tRue", KC_SCALAR_STR, 0},
    {"false", KC_SCALAR_FALSE, 0},
    {"False", KC_SCALAR_FALSE, 0},
    {"FALSE", KC_SCALAR_FALSE, 0},
    {"no", KC_SCALAR_FALSE, 0},
    {"No", KC_SCALAR_FALSE, 0},
    {"NO", KC_SCALAR_FALSE, 0},
    {"~", KC_SCALAR_NULL, 0},
    {"null", KC_SCALAR_NULL, 0},
    {"Null", KC_SCALAR_NULL, 0},
    {"NULL", KC_SCALAR_NULL, 0},
    {"nUll", KC_SCALAR_STR, 0},
    {"", KC_SCALAR_NULL, 0},
    {"1e3", KC_SCALAR_STR, 0},
    {"1.0e3", KC_SCALAR_STR, 0},
    {"1.0e+3", KC_SCALAR_FLOAT, 1000.0},
    {"1e+3", KC_SCALAR_STR, 0},
    {"1.5", KC_SCALAR_FLOAT, 1.5},
    {"-1.5", KC_SCALAR_FLOAT, -1.5},
    {".5", KC_SCALAR_FLOAT, 0.5},
    {"-.5", KC_SCALAR_STR, 0},
    {"+.5", KC_SCALAR_STR, 0},
    {"1.", KC_SCALAR_FLOAT, 1.0},
    {"1_000", KC_SCALAR_INT, 1000.0},
    {"0x1F", KC_SCALAR_INT, 31.0},
    {"-0x1f", KC_SCALAR_INT, -31.0},
    {"0o17", KC_SCALAR_STR, 0},
    {"017", KC_SCALAR_INT, 15.0},
    {"0b101", KC_SCALAR_INT, 5.0},
    {"+0b1", KC_SCALAR_INT, 1.0},
    {"08", KC_SCALAR_STR, 0},
    {"09.5", KC_SCALAR_FLOAT, 9.5},
    {"1:30", KC_SCALAR_INT, 90.0},
    {"1:30.5", KC_SCALAR_FLOAT, 90.5},
    {"-1:30", KC_SCALAR_INT, -90.0},
    {"1:60", KC_SCALAR_STR, 0},
    {"0:30", KC_SCALAR_STR, 0},
    {"190:20:30.15", KC_SCALAR_FLOAT, 685230.15},
    {".inf", KC_SCALAR_FLOAT, INFINITY},
    {"-.inf", KC_SCALAR_FLOAT, -INFINITY},
    {"+.inf", KC_SCALAR_FLOAT, INFINITY},
    {".Inf", KC_SCALAR_FLOAT, INFINITY},
    {".NaN", KC_SCALAR_FLOAT, NAN},
    {"0", KC_SCALAR_INT, 0.0},
    {"-0", KC_SCALAR_INT, 0.0},
    {"+12", KC_SCALAR_INT, 12.0},
    {"1__2", KC_SCALAR_INT, 12.0},
    {"_1", KC_SCALAR_STR, 0},
    {"0x_1", KC_SCALAR_INT, 1.0},
    {"0_7", KC_SCALAR_INT, 7.0},
    {"00", KC_SCALAR_INT, 0.0},
    {"0_", KC_SCALAR_INT, 0.0},
    {"1e-3", KC_SCALAR_STR, 0},
    {"1.0E-3", KC_SCALAR_FLOAT, 0.001},
    {"3.", KC_SCALAR_FLOAT, 3.0},
    {"._5", KC_SCALAR_STR, 0},
    {"1_0.5_0", KC_SCALAR_FLOAT, 10.5},
    {"0b", KC_SCALAR_STR, 0},
    {"0x", KC_SCALAR_STR, 0},
    {"0o", KC_SCALAR_STR, 0},
    {"+", KC_SCALAR_STR, 0},
    {"-1", KC_SCALAR_INT, -1.0},
    {"12345678901234567890", KC_SCALAR_INT, 1.2345678901234567e+19},
    {"1.5e-3", KC_SCALAR_FLOAT, 0.0015},
    {".5e+3", KC_SCALAR_FLOAT, 500.0},
    {"1.e+3", KC_SCALAR_FLOAT, 1000.0},
    {"0.1_", KC_SCALAR_FLOAT, 0.1},
    {"2001-12-14", KC_SCALAR_STR, 0},
    {"abc", KC_SCALAR_STR, 0},
    {"1.5.3", KC_SCALAR_STR, 0},
    {"0.0000001", KC_SCALAR_FLOAT, 1e-07},
    {"-0.0", KC_SCALAR_FLOAT, -0.0},
    {"1,000", KC_SCALAR_STR, 0},
};

Test(config_scalar, types_plain_scalars_as_pyyaml_safe_load)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double v = 0;
		enum kc_scalar_kind k =
		    kc_yaml_resolve_plain(rows[i].text, strlen(rows[i].text), &v);

		cr_expect_eq(k, rows[i].kind, "'%s': kind %d, want %d", rows[i].text, k,
		             rows[i].kind);
		if (k != rows[i].kind || (k != KC_SCALAR_INT && k != KC_SCALAR_FLOAT))
			continue;
		if (isnan(rows[i].value))
			cr_expect(isnan(v), "'%s': want NaN", rows[i].text);
		else
			cr_expect(v == rows[i].value, "'%s': value %.17g, want %.17g", rows[i].text,
			          v, rows[i].value);
	}
}

Test(config_scalar, refuses_value_and_merge_indicators_as_values)
{
	double v;

	cr_expect_eq(kc_yaml_resolve_plain("=", 1, &v), KC_SCALAR_VALUE);
	cr_expect_eq(kc_yaml_resolve_plain("<<", 2, &v), KC_SCALAR_MERGE);
}

Test(config_scalar, int_without_digits_is_an_error_as_in_pyyaml)
{
	double v;

	/* matches [-+]?0b[0-1_]+ but int('', 2) raises in PyYAML */
	cr_expect_eq(kc_yaml_resolve_plain("0b_", 3, &v), KC_SCALAR_BAD_INT);
}

Test(config_scalar, embedded_nul_is_a_string)
{
	double v;

	cr_expect_eq(kc_yaml_resolve_plain("1\0002", 3, &v), KC_SCALAR_STR);
}

Test(config_scalar, negative_zero_int_is_plain_zero)
{
	double v = 1;

	cr_expect_eq(kc_yaml_resolve_plain("-0", 2, &v), KC_SCALAR_INT);
	cr_expect(v == 0 && !signbit(v));
}

Test(config_scalar, float_repr_matches_python)
{
	static const struct {
		double v;
		const char *repr;
	} r[] = {{0.1, "0.1"},
	         {1.0, "1.0"},
	         {-0.0, "-0.0"},
	         {1e-07, "1e-07"},
	         {0.0001, "0.0001"},
	         {1e16, "1e+16"},
	         {123456789012345.6, "123456789012345.6"},
	         {1.5e300, "1.5e+300"},
	         {2.5, "2.5"},
	         {1000.0, "1000.0"},
	         {0.2, "0.2"},
	         {INFINITY, "Infinity"}};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		kc_py_float_repr(r[i].v, buf, sizeof(buf));
		cr_expect_str_eq(buf, r[i].repr);
	}
}
