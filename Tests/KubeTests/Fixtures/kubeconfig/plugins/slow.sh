#!/bin/sh
# Test credential plugin that never answers in time. It starts a child that would keep stdout open,
# and records the child's pid so the test can check the timeout killed it too.
sleep 30 &
echo $! > "$COUNT_FILE.child"
wait
