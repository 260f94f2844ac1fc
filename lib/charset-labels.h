/*
 * charset-labels: the charset labels that mean another charset.
 *
 * Labels are read as browsers read them (the WHATWG Encoding Standard):
 * each names the superset that pages so labelled are really sent in.
 * Included by lib/charset.c, which finds a table by label, and by
 * mk/charset-gen.c, which asks the build machine's iconv for the charset a
 * label means: one list, so the tables built and the labels read agree.
 * Charsets are named in lowercase, as iconv knows them.
 */
#ifndef HK_CHARSET_LABELS_H
#define HK_CHARSET_LABELS_H

static const char *const charset_labels[][2] = {
    {"gb2312", "gbk"},   {"shift_jis", "cp932"}, {"ms932", "cp932"},  {"windows-31j", "cp932"},
    {"x-sjis", "cp932"}, {"sjis", "cp932"},      {"euc-kr", "cp949"},
};

#endif
