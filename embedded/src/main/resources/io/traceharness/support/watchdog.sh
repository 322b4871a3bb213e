#!/bin/sh
# usage: watchdog.sh <jvm-pid> <command...>
# (dash's kill takes no "--": a negative pid names a group as in "kill -TERM -123")
# Runs the command and ends its whole process group once the JVM that started it is gone,
# however it ended (including SIGKILL, which runs no shutdown hook).
# The watcher runs in a session of its own, outside the group: the group may be stopped (SIGSTOP, a
# frozen Lambda execution environment) and the watcher must still see the JVM go. It also ends once
# the group is gone. A stopped group gets SIGCONT after SIGTERM, so that it can act on the TERM, and
# SIGKILL if it is still there 5 s later; the watcher ends as soon as the group is gone.
parent=$1
shift
"$@" &
child=$!
# the group when this script leads one (started under setsid), else the child alone
if kill -0 "-$$" 2>/dev/null; then target="-$$"; else target="$child"; fi
watch='while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
kill -0 "$2" 2>/dev/null || exit 0
kill -TERM "$2" 2>/dev/null; kill -CONT "$2" 2>/dev/null
i=0
while [ $i -lt 50 ] && kill -0 "$2" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$2" 2>/dev/null'
if command -v setsid >/dev/null 2>&1; then
  setsid /bin/sh -c "$watch" watchdog-watcher "$parent" "$target" &
else
  /bin/sh -c "$watch" watchdog-watcher "$parent" "$target" &
fi
watcher=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"
rc=$?
# wait returns early when a trapped signal arrives: wait for the child itself to end
while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
kill "$watcher" 2>/dev/null
exit $rc
