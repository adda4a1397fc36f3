#!/bin/sh
# Test credential plugin that never answers in time.
exec sleep 30
