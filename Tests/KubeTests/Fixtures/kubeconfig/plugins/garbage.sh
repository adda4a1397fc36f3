#!/bin/sh
# Test credential plugin whose output is not JSON; the output holds a secret that must not be shown.
echo 'fixture-secret-garbage-output not json'
