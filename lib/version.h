/*
 * version: the one place hitkit's version is written.  Every tool's
 * --version prints it (err_version), hit-report prints the version of the
 * tools it runs (it asks hit-agg), and mk/deb.sh names the package with
 * it.  The man pages' .TH lines carry it too; tests/special/man-synopsis.sh
 * checks that they agree.
 */
#ifndef HK_VERSION_H
#define HK_VERSION_H

#define HK_VERSION "0.1.0"

#endif
