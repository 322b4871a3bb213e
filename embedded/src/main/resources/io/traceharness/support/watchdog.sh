#!/bin/sh
# usage: watchdog.sh <jvm-pid> <command...>
# Runs the command and ends its whole process group once the JVM that started it is gone,
# however it ended (including SIGKILL, which runs no shutdown hook).
parent=$1
shift
"$@" &
child=$!
(
  while kill -0 "$parent" 2>/dev/null; do sleep 1; done
  kill -TERM -- -$$ 2>/dev/null || kill -TERM "$child" 2>/dev/null
  sleep 5
  kill -KILL -- -$$ 2>/dev/null || kill -KILL "$child" 2>/dev/null
) &
watcher=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"
rc=$?
# wait returns early when a trapped signal arrives: wait for the child itself to end
while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
kill "$watcher" 2>/dev/null
exit $rc
