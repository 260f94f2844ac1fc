#!/usr/bin/env bash
# One vocabulary of options (README "Options").  From every tool's --help:
# (a) a short letter stands for one long name in every tool, and a long name
#     has at most one short letter;
# (b) the README's table holds every option of every --help, and only those:
#     one row per long name, its tools exactly the tools whose --help lists
#     it, its short letter the one those --help give (a "-j (hit-report)"
#     cell: only the tools named take the letter), its argument cell empty
#     exactly when the option takes none, and in brackets exactly when the
#     argument is optional ("--progress[=TOTAL]": "[TOTAL]").
# An option line of a --help starts with 2 or 6 spaces and a dash; it holds
# specs ("-x, --long=ARG", "--long") separated by two or more spaces, up to
# the description (hit-report lists hit-attrib's options several a line).
# HK_README=FILE checks another copy of the README (to see the test fail).
set -u
cd "$(dirname "$0")/../.." || exit 2
export LC_ALL=C
bin=${HK_BIN:-bin}
readme=${HK_README:-README.md}
tools="hit-agg hit-attrib hit-gen hit-parse hit-partition hit-sort hit-report"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hk-opts.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# tool TAB short TAB long TAB takes-an-argument (0 no, 1 yes, 2 optional), one line per option
for t in $tools; do
    [ -x "$bin/$t" ] || { echo "$t: not built in $bin"; exit 1; }
    "$bin/$t" --help >"$tmp/help" || { echo "$t --help failed"; exit 1; }
    awk -v tool="$t" '
        /^(  |      )-/ {
            line = $0
            gsub(/   */, "\t", line)
            n = split(line, f, "\t")
            for (i = 2; i <= n; i++) {
                s = f[i]; short = ""
                if (s ~ /^-[A-Za-z0-9], --/) { short = substr(s, 1, 2); s = substr(s, 5) }
                if (s !~ /^--[a-z][a-z0-9-]*/) {
                    if (s ~ /^-/) {
                        print "?" tool ": cannot read option \"" f[i] "\""; bad = 1
                    }
                    break
                }
                match(s, /^--[a-z][a-z0-9-]*/)
                long = substr(s, 1, RLENGTH)
                rest = substr(s, RLENGTH + 1)
                if (rest != "" && rest !~ /^([= ]|\[=)/) {
                    print "?" tool ": cannot read option \"" f[i] "\""; bad = 1
                }
                print tool "\t" short "\t" long "\t" (rest ~ /^=/ ? 1 : rest ~ /^\[=/ ? 2 : 0)
            }
        }
        END { exit bad }' "$tmp/help" >>"$tmp/pairs" ||
        { grep '^?' "$tmp/pairs" | cut -c2-; exit 1; }
done

# The README table: the rows of the first table after "## Options" (its
# header and rule left out), as short TAB only-these-tools TAB long TAB
# argument TAB tools, lists one space apart.
awk '
    /^## / { on = ($0 == "## Options"); next }
    on && /^\|/ { rows++; if (rows > 2) print; next }
    on && rows { on = 0 }' "$readme" |
    awk '
        {
            line = $0
            gsub(/\\\|/, "\001", line)
            n = split(line, c, "|")
            for (i = 2; i < n; i++) {
                gsub(/`/, "", c[i]); gsub(/^ +| +$/, "", c[i]); gsub(/\001/, "|", c[i])
            }
            short = c[2]; only = ""
            if (match(short, /\(.*\)/)) {
                only = substr(short, RSTART + 1, RLENGTH - 2)
                short = substr(short, 1, RSTART - 1); sub(/ +$/, "", short)
            }
            t = c[6]; gsub(/,/, " ", t); gsub(/  +/, " ", t)
            gsub(/,/, " ", only); gsub(/  +/, " ", only)
            print short "\t" only "\t" c[3] "\t" c[4] "\t" t
        }' >"$tmp/table"
[ -s "$tmp/table" ] || { echo "$readme: no table under '## Options'"; exit 1; }

awk -F '\t' -v tools="$tools" '
    function has(list, w) { return index(" " list " ", " " w " ") > 0 }
    function fail(msg) { print msg; bad = 1 }
    FNR == 1 { file++ }
    file == 1 {
        tool = $1; short = $2; long = $3
        if (short != "") {
            if ((short in long_of) && long_of[short] != long)
                fail("(a) " short " is " long_of[short] " in " tool_of[short] \
                     " but " long " in " tool)
            long_of[short] = long; tool_of[short] = tool
            if ((long in short_of) && short_of[long] != short)
                fail("(a) " long " is " short_of[long] " in " stool_of[long] \
                     " but " short " in " tool)
            short_of[long] = short; stool_of[long] = tool
        }
        if ((tool SUBSEP long) in arg)
            fail("(a) " tool " lists " long " twice")
        arg[tool, long] = $4; sh[tool, long] = short
        in_help[long] = in_help[long] " " tool
        next
    }
    {
        short = $1; only = $2; long = $3; targ = $4; ttools = ($5 == "all" ? tools : $5)
        if (long in row) { fail("(b) README: two rows for " long); next }
        row[long] = 1
        if (long !~ /^--[a-z][a-z0-9-]*$/) {
            fail("(b) README: row \"" long "\" is not a long option")
            next
        }
        if (!(long in in_help)) { fail("(b) README: " long " is in no --help"); next }
        n = split(only, o, " ")
        for (i = 1; i <= n; i++)
            if (!has(ttools, o[i]))
                fail("(b) README: " long ": its short letter is for " o[i] ", not listed")
        n = split(tools, all, " ")
        for (i = 1; i <= n; i++) {
            t = all[i]
            listed = has(ttools, t); helped = (t SUBSEP long) in arg
            if (listed && !helped) fail("(b) README: " long " lists " t ": not in its --help")
            if (!listed && helped) fail("(b) README: " long " does not list " t ": in its --help")
            if (!helped) continue
            want = (short != "" && (only == "" || has(only, t))) ? short : ""
            if (sh[t, long] != want)
                fail("(b) README: " long " in " t ": short \"" want "\", --help \"" sh[t, long] "\"")
            if ((targ != "") != (arg[t, long] != 0))
                fail("(b) README: " long " in " t ": argument \"" targ "\", but its --help " \
                     (arg[t, long] ? "takes one" : "takes none"))
            else if (targ != "" && (targ ~ /^\[/) != (arg[t, long] == 2))
                fail("(b) README: " long " in " t ": argument \"" targ "\", but --help makes it " \
                     (arg[t, long] == 2 ? "optional" : "required"))
        }
    }
    END {
        for (long in in_help)
            if (!(long in row)) fail("(b) README: no row for " long " (in" in_help[long] ")")
        exit bad
    }' "$tmp/pairs" "$tmp/table"
