#!/bin/sh
# make deb: a Debian package of the static tools (build/static/bin, made by
# make static) and the man pages, built with dpkg-deb alone (no debian/
# directory, no debhelper):
#   sh mk/deb.sh    writes build/hitkit_VERSION_ARCH.deb
# VERSION is HK_VERSION (lib/version.h), ARCH the build machine's
# (dpkg --print-architecture).  The programs are static, so the package
# depends on no library: only on what the hit-report script runs (bash,
# coreutils' date, mktemp..., gzip for .gz inputs), and recommends awscli,
# which only s3:// inputs and outputs need.
set -eu
umask 022
version=$(sed -n 's/^#define HK_VERSION "\(.*\)"$/\1/p' lib/version.h)
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "mk/deb.sh: no HK_VERSION in lib/version.h" >&2; exit 2; }
deb=build/hitkit_${version}_$arch.deb
stage=build/deb/hitkit

rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/man/man1"
cp build/static/bin/hit-* "$stage/usr/bin/"
chmod 0755 "$stage"/usr/bin/*
for m in man/*.1; do
    gzip -9n <"$m" >"$stage/usr/share/man/man1/${m#man/}.gz"
done
size=$(du -sk "$stage/usr" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: hitkit
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-hitkit maintainers <hitkit@localhost>}
Installed-Size: $size
Depends: bash, coreutils, gzip, libarchive-tools
Recommends: awscli
Section: utils
Priority: optional
Description: small, fast filters for web-analytics hit data
 hitkit turns raw web-analytics hits (Adobe data feeds) into business
 reports with Unix filters: hit-parse, hit-attrib, hit-agg, hit-sort,
 hit-partition, hit-gen, and hit-report, the daily Search Keyword
 Performance report end to end.
 .
 The programs are statically linked (libc, libzstd and libcsv inside,
 search keywords' charsets built in), so they need no library installed.
CONTROL
rm -f "$deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
