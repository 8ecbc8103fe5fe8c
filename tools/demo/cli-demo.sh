#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# cli-demo.sh: shell processes coordinating through named objects with the
# winsync command.  `make demo` runs it in the VM after winsync-demo, as
# root, with the "winsync" user (uid 1000) as the second party.  Exit
# status 0 when everything happened as shown.
set -e

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
# The WAITERS column of `winsync list` for NAME.
waiters() { winsync list | N=$1 awk '$NF == ENVIRON["N"] { print $7 }'; }
await_waiter() {
	i=0
	while [ "$(waiters "$1")" != 1 ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "nobody waits on $1" >&2; exit 1; }
		sleep 0.05
	done
}
as_b() { su winsync -s /bin/sh -c "$1"; }

say "What the module is"
run winsync info

say "Shell A creates Global\\ready, a manual-reset event that others may read,"
echo "   and keeps it open in the background (it exists only while open)"
echo "\$ holder=\$(winsync create event 'Global\\ready' --manual --mode 0644 --hold --background)"
holder=$(winsync create event 'Global\ready' --manual --mode 0644 --hold --background)
echo "holder pid: $holder"

say "Shell B, user winsync, waits for it"
as_b "echo \"B \\\$ winsync wait 'Global\\ready' --timeout 20s\";
      winsync wait 'Global\\ready' --timeout 20s && echo 'B: Global\\ready is set: going on'" &
b=$!
await_waiter 'Global\ready'
run winsync list

say "Shell A sets it"
echo "\$ winsync set 'Global\\ready'"
winsync set 'Global\ready'
wait $b

say "A mutex as a critical section for two shells (A as root, B as winsync)"
keeper=$(winsync create mutex 'Global\lock' --mode 0666 --hold --background)
echo "(Global\\lock is kept open by pid $keeper)"
# shellcheck disable=SC2016 # the script of the two inner shells
critical='i=0; while [ $i -lt 3 ]; do
	owner=$(winsync wait "Global\\lock" --hold --background --timeout 20s) || exit 1
	echo "$WHO: in  (pid $owner owns Global\\lock)"; sleep 0.1; echo "$WHO: out"
	kill $owner; i=$((i + 1)); done'
WHO=A sh -c "$critical" &
a=$!
as_b "WHO=B; $critical" &
b=$!
wait $a
wait $b
echo "(each 'in' is followed by its own 'out': never two inside at once)"

say "A mutex cannot be released from another process"
echo "\$ winsync release mutex 'Global\\lock'"
winsync release mutex 'Global\lock' || echo "(status $?)"

say "What user winsync can see, and what root can"
echo "\$ winsync create event 'Global\\private' --hold --background   # mode 0600"
private=$(winsync create event 'Global\private' --hold --background)
echo "B \$ winsync list"
as_b "winsync list"
run winsync list

kill "$holder" "$keeper" "$private"
say "Done: the holders are gone, and so are their objects"
sleep 0.2
run winsync list
