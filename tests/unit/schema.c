/* Unit tests for lib/schema: loading a schema file (every type, columns by
 * name and by number, the required words, a file without the required
 * column) and its errors (exit 2, file:line:col, the exact text); then
 * schema_check per type, empty and required values, the first failing
 * rule in the schema's order, and how a bad value is shown. */
#include "schema.h"
#include "check.h"
#include "err.h"
#include "tsv.h"

static char tmpdir[] = "/tmp/hk-unit-schema.XXXXXX";
static char path[64];

static char *const names[] = {"id", "n", "amount", "day", "ts", "epoch", "kind", "free"};
enum { NCOLS = sizeof names / sizeof *names };

static void write_schema(const char *text)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
        abort();
}

static struct field F(const char *s) {
    return (struct field){(char *)s, strlen(s)};
}

/* A record that passes the main schema, with column col set to v. */
static long
check_one(const struct schema *s, size_t col, const char *v, char *buf)
{
    struct field f[NCOLS] = {
        F("1"),          F("-5"), F("12.50"), F("2024-02-29"), F("2024-02-29 23:59:59"),
        F("1700000000"), F("b"),  F("")};
    f[col] = F(v);
    buf[0] = '\0';
    return schema_check(s, f, buf, 256);
}

/* Each value of ok passes in column col, each of bad fails there with the
 * message "column 'NAME': not WHAT: 'VALUE'". */
static void values(const struct schema *s, size_t col, const char *what, const char *const *ok,
                   const char *const *bad, int line)
{
    char buf[256], want[512];
    for (; *ok; ok++) {
        long c = check_one(s, col, *ok, buf);
        if (c != 0) {
            fprintf(stderr, "schema.c:%d: FAIL: '%s' in %s rejected: %s\n", line, *ok, names[col],
                    buf);
            check_failures++;
        }
    }
    for (; *bad; bad++) {
        long c = check_one(s, col, *bad, buf);
        snprintf(want, sizeof want, "column '%s': not %s: '%s'", names[col], what, *bad);
        if (c != (long)col + 1 || strcmp(buf, want) != 0) {
            fprintf(stderr, "schema.c:%d: FAIL: '%s' in %s: %ld '%s'\n", line, *bad, names[col], c,
                    buf);
            check_failures++;
        }
    }
}
#define VALUES(col, what, okl, badl)                                                               \
    do {                                                                                           \
        static const char *const ok_[] = {okl, NULL}, *const bad_[] = {badl, NULL};                \
        values(s, col, what, ok_, bad_, __LINE__);                                                 \
    } while (0)
#define L(...) __VA_ARGS__

static void test_types(void)
{
    write_schema("column\ttype\trequired\n"
                 "id\tstring\tyes\n"
                 "n\tint\tno\n"
                 "amount\tdecimal\t\n"
                 "day\tdate\tfalse\n"
                 "5\tdatetime\t0\n" /* ts, by number */
                 "epoch\tepoch\tno\n"
                 "kind\tenum:a|b|c d\ttrue\n");
    struct schema *s = schema_load(path, names, NCOLS);
    char buf[256];
    CHECK(check_one(s, 0, "1", buf) == 0);
    VALUES(0, "a string", L("x", " ", "\\", "\x01\t"), L(NULL));
    VALUES(1, "an int",
           L("0", "42", "-7", "+5", "007", "9223372036854775807", "-9223372036854775808", ""),
           L("9223372036854775808", "-9223372036854775809", "1.0", " 1", "1 ", "1e3", "-", "+",
             "0x10", "١"));
    VALUES(2, "a decimal",
           L("1", "-1.50", "+2", ".5", "5.", "0.123456789012345678", "92233720368547758.07", ""),
           L("1e2", "1,5", " 1", ".", "-", "1.2.3", "abc", "0.1234567890123456789"));
    VALUES(3, "a date (YYYY-MM-DD)", L("2024-02-29", "2000-02-29", "1970-01-01", "9999-12-31"),
           L("2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-1-01",
             "2024-01-01 ", "20240101", "2024/01/01"));
    VALUES(4, "a datetime (YYYY-MM-DD HH:MM:SS)", L("2024-02-29 23:59:59", "1970-01-01 00:00:00"),
           L("2024-02-29T23:59:59", "2024-02-29 24:00:00", "2024-02-29 23:60:00",
             "2024-02-30 00:00:00", "2024-02-29", "2024-02-29 1:00:00"));
    VALUES(5, "epoch seconds", L("0", "1700000000", "253402300799"),
           L("253402300800", "-1", "+1", "1.5", "1e9", " 1"));
    VALUES(6, "an allowed value", L("a", "b", "c d"), L("d", "A", "c", "a|b", " a", "b "));
    /* a column the schema does not name is not checked */
    VALUES(7, "", L("anything", "\\N"), L(NULL));
    /* required: empty fails whatever the type; not required: empty passes */
    CHECK(check_one(s, 0, "", buf) == 1);
    CHECK_STR(buf, "column 'id': empty required field");
    CHECK(check_one(s, 6, "", buf) == 7);
    CHECK_STR(buf, "column 'kind': empty required field");
    /* the first failing rule in the schema's order, not the leftmost column */
    struct field f[NCOLS] = {F("1"),      F("x"),          F("12.50"), F("2024-02-29"),
                             F("bad ts"), F("1700000000"), F("z"),     F("")};
    CHECK(schema_check(s, f, buf, sizeof buf) == 2);
    CHECK_STR(buf, "column 'n': not an int: 'x'");
    f[1] = F("3");
    CHECK(schema_check(s, f, buf, sizeof buf) == 5);
    CHECK_STR(buf, "column 'ts': not a datetime (YYYY-MM-DD HH:MM:SS): 'bad ts'");
    /* a value is shown with control bytes escaped, and cut after 40 bytes */
    CHECK(check_one(s, 1, "1\t2\n\x7f", buf) == 2);
    CHECK_STR(buf, "column 'n': not an int: '1\\x092\\x0a\\x7f'");
    CHECK(check_one(s, 1, "0123456789012345678901234567890123456789XYZ", buf) == 2);
    CHECK_STR(buf, "column 'n': not an int: '0123456789012345678901234567890123456789...'");
    /* a small buffer gets a cut message, NUL-terminated */
    struct field g[NCOLS] = {F(""), F("1"), F("1"), F(""), F(""), F(""), F("a"), F("")};
    char small[8];
    CHECK(schema_check(s, g, small, sizeof small) == 1);
    CHECK_STR(small, "column ");
    schema_free(s);
    schema_free(NULL);
}

/* The header without "required", required words, an empty schema. */
static void test_forms(void)
{
    char buf[256];
    write_schema("column\ttype\nday\tdate\nkind\tenum:x\n");
    struct schema *s = schema_load(path, names, NCOLS);
    struct field f[NCOLS] = {F(""), F(""), F(""), F(""), F(""), F(""), F(""), F("")};
    CHECK(schema_check(s, f, buf, sizeof buf) == 0); /* nothing required */
    f[6] = F("x");
    f[3] = F("2024-01-01");
    CHECK(schema_check(s, f, buf, sizeof buf) == 0);
    f[6] = F("y");
    CHECK(schema_check(s, f, buf, sizeof buf) == 7);
    CHECK_STR(buf, "column 'kind': not an allowed value: 'y'");
    schema_free(s);
    /* yes/no words, CRLF lines */
    const char *yes[] = {"yes", "true", "1"}, *no[] = {"no", "false", "0", ""};
    for (int i = 0; i < 7; i++) {
        char text[128];
        snprintf(text, sizeof text, "column\ttype\trequired\r\nfree\tstring\t%s\r\n",
                 i < 3 ? yes[i] : no[i - 3]);
        write_schema(text);
        s = schema_load(path, names, NCOLS);
        CHECK(schema_check(s, f, buf, sizeof buf) == (i < 3 ? 8 : 0));
        schema_free(s);
    }
    /* only a header: nothing checked */
    write_schema("column\ttype\trequired\n");
    s = schema_load(path, names, NCOLS);
    f[6] = F("anything");
    f[3] = F("not a date");
    CHECK(schema_check(s, f, buf, sizeof buf) == 0);
    schema_free(s);
}

static void load_child(void *arg)
{
    (void)arg;
    schema_load(path, names, NCOLS);
}

/* The file holds text; loading it dies with exit 2 and "unit: " + the
 * message (PATH stands for the file's path). */
static void bad(const char *text, const char *msg, int line)
{
    char err[1024], want[1024];
    write_schema(text);
    int rc = check_child(load_child, NULL, err, sizeof err);
    const char *at = strstr(msg, "PATH");
    snprintf(want, sizeof want, "unit: %.*s%s%s\n", (int)(at ? at - msg : 0), msg, at ? path : "",
             at ? at + 4 : msg);
    if (rc != 2 || strcmp(err, want) != 0) {
        fprintf(stderr, "schema.c:%d: FAIL: exit %d, '%s', want '%s'\n", line, rc, err, want);
        check_failures++;
    }
}
#define BAD(text, msg) bad(text, msg, __LINE__)

static void test_errors(void)
{
    const char *hdr = "PATH:1: schema header must be 'column<TAB>type<TAB>required'";
    BAD("", hdr);
    BAD("col\ttype\trequired\n", hdr);
    BAD("column\n", hdr);
    BAD("column\ttype\treq\n", hdr);
    BAD("type\tcolumn\n", hdr);
    BAD("column\ttype\trequired\nid\tfloat\tno\n",
        "PATH:2:2: unknown type 'float' (string, int, decimal, date, datetime, epoch, enum:a|b)");
    BAD("column\ttype\trequired\nid\tstring\tno\nn\tenum\tno\n",
        "PATH:3:2: unknown type 'enum' (string, int, decimal, date, datetime, epoch, enum:a|b)");
    BAD("column\ttype\trequired\nid\tdecimal(10,2)\tno\n",
        "PATH:2:2: unknown type 'decimal(10,2)' (string, int, decimal, date, datetime, epoch, "
        "enum:a|b)");
    BAD("column\ttype\trequired\nid\tInt\tno\n",
        "PATH:2:2: unknown type 'Int' (string, int, decimal, date, datetime, epoch, enum:a|b)");
    BAD("column\ttype\trequired\nid\tint\tmaybe\n",
        "PATH:2:3: required must be yes or no, not 'maybe'");
    BAD("column\ttype\trequired\nid\tint\tYES\n",
        "PATH:2:3: required must be yes or no, not 'YES'");
    BAD("column\ttype\trequired\nzz\tint\tno\n",
        "PATH:2: no column 'zz' (columns: id, n, amount, day, ts, epoch, kind, free)");
    BAD("column\ttype\trequired\n9\tint\tno\n",
        "PATH:2: no column '9' (columns: id, n, amount, day, ts, epoch, kind, free)");
    BAD("column\ttype\trequired\nid\tint\n", "PATH:2:3: too few fields: expected 3, found 2");
    BAD("column\ttype\nid\tint\tno\n", "PATH:2:3: too many fields: expected 2, found 3");
    BAD("column\ttype\nid\tin\\qt\n", "PATH:2:2: broken escape: unknown escape sequence");
    /* no such file */
    char keep[sizeof path];
    memcpy(keep, path, sizeof path);
    snprintf(path, sizeof path, "%s/none", tmpdir);
    char err[512], want[512];
    int rc = check_child(load_child, NULL, err, sizeof err);
    snprintf(want, sizeof want, "unit: %s: No such file or directory\n", path);
    CHECK(rc == 2);
    CHECK_STR(err, want);
    memcpy(path, keep, sizeof path);
}

int main(void)
{
    err_init("unit");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/s.schema", tmpdir);
    test_types();
    test_forms();
    test_errors();
    unlink(path);
    if (rmdir(tmpdir) != 0) {
        perror(tmpdir);
        check_failures++;
    }
    return check_done("schema");
}
