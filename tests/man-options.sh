#!/bin/sh
# man-options.sh BINDIR PROG: prints PROG's man page (PROG/PROG.1) with the
# part between the OPTIONS BEGIN and OPTIONS END lines replaced by
# `PROG --help-man`, the option list generated from PROG's option table.
# `make man` writes the result back; tests/e2e/t_options_docs checks that
# the page in the tree is what it prints.
set -eu
bindir=$1 prog=$2
list=$("$bindir/$prog" --help-man)
export list
awk '
	/^\.\\" OPTIONS BEGIN/ { print; print ENVIRON["list"]; skip = 1; next }
	/^\.\\" OPTIONS END/ { skip = 0 }
	!skip
' "$prog/$prog.1"
