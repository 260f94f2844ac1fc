#!/usr/bin/env bash
# A 50 MB field passes through hit-parse unchanged: plain, zstd-compressed,
# projected with -f, and written to a .zst file.  The field mixes random
# text with Adobe escapes (backslash + literal LF/TAB), which hit-parse
# writes as \n and \t, and PostgreSQL escapes, which stay as they are.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
python3 - <<'PY'
import base64, random
rnd = random.Random(50)
chunks_in, chunks_want = [], []
size = 0
while size < 50 * 1000 * 1000:
    text = base64.b64encode(rnd.randbytes(750000)).decode()  # 1 MB, no TAB/LF/backslash
    esc_in, esc_want = rnd.choice([("\\\n", "\\n"), ("\\\t", "\\t"), ("\\\\", "\\\\"),
                                   ("\\n", "\\n"), ("\\r", "\\r")])
    chunks_in += [text, esc_in]
    chunks_want += [text, esc_want]
    size += len(text) + 2
big_in, big_want = "".join(chunks_in), "".join(chunks_want)
with open("in.tsv", "w") as f:
    f.write("id\tbig\tz\n1\t" + big_in + "\tend\n2\tsmall\tend\n")
with open("want.tsv", "w") as f:
    f.write("id\tbig\tz\n1\t" + big_want + "\tend\n2\tsmall\tend\n")
with open("want-big.tsv", "w") as f:
    f.write("big\n" + big_want + "\nsmall\n")
PY
[ "$(stat -c %s in.tsv)" -gt 50000000 ]
hit-parse in.tsv >out.tsv
cmp want.tsv out.tsv
zstd -q -c in.tsv >in.tsv.zst
hit-parse in.tsv.zst >out2.tsv
cmp want.tsv out2.tsv
zstd -q -dc in.tsv.zst | hit-parse -f big | cmp want-big.tsv -
hit-parse -o out.tsv.zst in.tsv
zstd -q -dc out.tsv.zst | cmp want.tsv -
echo "50 MB field: plain, zstd in, -f, zstd out all equal"
