# The first read block is 1 MiB: put an Adobe backslash-LF across its end,
# and a backslash-TAB across the end of the second.
import sys
d = sys.argv[1]
MIB = 1 << 20
head = "a\tb\n"
r1 = "x" * (MIB - len(head) - 2) + "\t\\" + "\n" + "q"
r2 = "y" * (2 * MIB - len(head) - len(r1) - 2) + "\\" + "\t" + "z" + "\t3"
data = head + r1 + "\n" + r2 + "\n" + "w\t4\n"
assert data[MIB - 1] == "\\" and data[MIB] == "\n"
assert data[2 * MIB - 1] == "\\" and data[2 * MIB] == "\t"
want = head + r1[: -3] + "\\nq\n" + r2[: -5] + "\\tz\t3\n" + "w\t4\n"
open(d + "/in.tsv", "w").write(data)
open(d + "/want.tsv", "w").write(want)
