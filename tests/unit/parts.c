/* Unit tests for lib/parts and the io it writes through (output_blocks):
 * blocks appended plain and as zstd frames that read back as one stream,
 * a failed append kept and reported by output_blocks_die, and a data set
 * of two partitions written, committed and listed in the manifest. */
#include "parts.h"
#include "check.h"
#include "err.h"
#include "io.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/hk-unit-parts.XXXXXX";
#include "files.h" /* after tmpdir, which its helpers use */

static void test_blocks(void)
{
    struct output_blocks *b = output_blocks_new(0, 3);
    char *plain = path_of("plain");
    size_t n = 0;
    CHECK(output_blocks_append(b, plain, "abc", 3, &n) != NULL && n == 3);
    CHECK(output_blocks_append(b, plain, "def", 3, &n) != NULL && n == 3);
    size_t got;
    char *s = slurp(plain, &got);
    CHECK_MEM(s, got, "abcdef", 6);
    free(s);
    output_blocks_free(b);

    b = output_blocks_new(1, 3);
    char *z = path_of("z");
    CHECK(output_blocks_append(b, z, "hello ", 6, &n) != NULL && n > 0);
    CHECK(output_blocks_append(b, z, "world", 5, &n) != NULL && n > 0);
    struct input *in = input_open(z); /* two frames, one stream */
    char buf[64];
    got = 0;
    for (size_t k; (k = input_read(in, buf + got, sizeof buf - got)) > 0;)
        got += k;
    input_close(in);
    CHECK_MEM(buf, got, "hello world", 11);
    output_blocks_free(b);
    unlink(plain);
    unlink(z);
    free(plain);
    free(z);
}

static void die_missing_dir(void *path)
{
    struct output_blocks *b = output_blocks_new(0, 3);
    size_t n;
    if (!output_blocks_append(b, path, "x", 1, &n))
        output_blocks_die(b);
}

static void test_blocks_error(void)
{
    char *path = path_of("nodir/x"), err[512], want[600];
    snprintf(want, sizeof want, "unit: %s: No such file or directory\n", path);
    CHECK(check_child(die_missing_dir, path, err, sizeof err) == 2);
    CHECK_STR(err, want);
    free(path);
}

static void test_parts(void)
{
    char *input = path_of("in.tsv"), *dir = path_of("set");
    const char data[] = "k\tv\na\t1\nb\t2\na\t3\n";
    write_file(input, data, sizeof data - 1);
    CHECK(mkdir(dir, 0777) == 0);
    struct tsv_reader rd;
    tsv_open(&rd, &input, 1, NULL);
    struct parts_opts o = {dir, "u", 0, 3, 0, PARTS_CHUNK, rd.names, rd.ncols};
    struct parts *ps = parts_open(&o);
    while (tsv_next(&rd)) {
        char key[16];
        int kn = snprintf(key, sizeof key, "k=%.*s", (int)rd.f[0].n, rd.f[0].p);
        parts_add(ps, parts_get(ps, key, (size_t)kn), &rd);
    }
    parts_commit(ps);
    CHECK(parts_count(ps) == 2 && parts_bytes_out(ps) == 12 + 8);
    parts_close(ps);
    tsv_close(&rd);

    size_t n;
    char *a = path_of("set/k=a/part-u.tsv"), *b = path_of("set/k=b/part-u.tsv");
    char *man = path_of("set/_manifest.tsv"), *s = slurp(a, &n);
    CHECK_MEM(s, n, "k\tv\na\t1\na\t3\n", 12);
    free(s);
    s = slurp(b, &n);
    CHECK_MEM(s, n, "k\tv\nb\t2\n", 8);
    free(s);
    s = slurp(man, &n); /* the md5 of each file after its rows and bytes */
    const char *want = "file\trows\tbytes\tmd5\nk=a/part-u.tsv\t2\t12\t";
    CHECK(s && n > strlen(want) && memcmp(s, want, strlen(want)) == 0 &&
          strstr(s, "\nk=b/part-u.tsv\t1\t8\t"));
    free(s);
    unlink(a);
    unlink(b);
    unlink(man);
    free(man);
    free(a);
    free(b);
    a = path_of("set/k=a");
    b = path_of("set/k=b");
    CHECK(rmdir(a) == 0 && rmdir(b) == 0 && rmdir(dir) == 0); /* nothing else left */
    unlink(input);
    free(a);
    free(b);
    free(dir);
    free(input);
}

int main(void)
{
    err_init("unit");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_blocks();
    test_blocks_error();
    test_parts();
    if (rmdir(tmpdir) != 0) {
        perror(tmpdir);
        check_failures++;
    }
    return check_done("parts");
}
