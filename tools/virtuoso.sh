#!/usr/bin/env bash
# Virtuoso Open Source (Debian's virtuoso-opensource-7-bin) on loopback, over a database folder of
# its own, for `clusterkg push` tests and benchmarks:
#
#   tools/virtuoso.sh start DIR HTTP_PORT [ISQL_PORT] [BUFFERS]   prints the HTTP root URL when ready
#   tools/virtuoso.sh stop DIR                                    stops it (checkpoint, then exit)
#   tools/virtuoso.sh isql DIR 'SQL;'                             runs SQL as dba through isql-vt
#
# DIR gets virtuoso.ini, the database files, virtuoso.log and virtuoso.pid. Both listeners (HTTP and
# ISQL) are bound to 127.0.0.1; nothing else listens. The dba password stays Virtuoso's default
# (dba): the database lives only in DIR and only loopback reaches it. BUFFERS: 8 KiB pages of cache
# (default 20000, about 160 MB; Virtuoso's guide: about 2/3 of the memory given to it).
# Endpoints: HTTP_ROOT/sparql (read-only, anonymous), HTTP_ROOT/sparql-auth (update, digest auth)
# and HTTP_ROOT/sparql-graph-crud-auth (Graph Store Protocol, digest auth).
set -euo pipefail

VIRTUOSO="${VIRTUOSO:-virtuoso-t}"
ISQL="${ISQL:-isql-vt}"

usage() {
    echo "usage: $0 start DIR HTTP_PORT [ISQL_PORT] [BUFFERS] | stop DIR | isql DIR SQL" >&2
    exit 2
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_ini() {
    local dir="$1" http="$2" isql="$3" buffers="$4"
    cat >"$dir/virtuoso.ini" <<EOF
; written by tools/virtuoso.sh: loopback only, everything inside this folder
[Database]
DatabaseFile = $dir/virtuoso.db
ErrorLogFile = $dir/virtuoso.log
LockFile = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$isql
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = $buffers
MaxDirtyBuffers = $((buffers * 3 / 4))
CheckpointSyncMode = 2
DirsAllowed = ., $dir
ThreadCleanupInterval = 1
ResourcesCleanupInterval = 1
MaxQueryMem = 1G
; a switch moves every graph in one transaction: its log may grow to about 2x the data
TransactionAfterImageLimit = 2000000000
AdjustVectorSize = 0
MaxVectorSize = 1000000

[HTTPServer]
ServerPort = 127.0.0.1:$http
ServerRoot = $dir/www
ServerThreads = 20
MaxClientConnections = 20
KeepAliveTimeout = 10
MaxKeepAlives = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
; whole graphs come back (push verifies each by count and digest): no row cap, no time cap here
ResultSetMaxRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
DefaultQuery = SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }
DeferInferenceRulesInit = 0
EOF
}

isql_port() {
    sed -n 's/^ServerPort = 127.0.0.1:\([0-9]*\)$/\1/p' "$1/virtuoso.ini" | head -1
}

http_port() {
    sed -n 's/^ServerPort = 127.0.0.1:\([0-9]*\)$/\1/p' "$1/virtuoso.ini" | tail -1
}

start() {
    local dir http isql buffers pid
    [ "$#" -ge 2 ] || usage
    mkdir -p "$1/www"
    dir="$(cd "$1" && pwd)"
    http="$2"
    isql="${3:-$(free_port)}"
    buffers="${4:-20000}"
    command -v "$VIRTUOSO" >/dev/null || {
        echo "$VIRTUOSO is not installed: run tools/install-system-deps.sh" >&2
        exit 2
    }
    [ -f "$dir/virtuoso.ini" ] || write_ini "$dir" "$http" "$isql" "$buffers"
    (cd "$dir" && exec "$VIRTUOSO" +foreground +configfile "$dir/virtuoso.ini" >>"$dir/virtuoso.out" 2>&1) &
    pid=$!
    echo "$pid" >"$dir/virtuoso.pid"
    for _ in $(seq 1 600); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "virtuoso exited while starting; see $dir/virtuoso.log" >&2
            exit 1
        fi
        if curl -fsS -o /dev/null "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" 2>/dev/null; then
            echo "http://127.0.0.1:$http"
            return 0
        fi
        sleep 0.1
    done
    echo "virtuoso did not answer on 127.0.0.1:$http within 60 s; see $dir/virtuoso.log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
}

stop() {
    local dir pid
    [ "$#" -ge 1 ] || usage
    dir="$1"
    [ -f "$dir/virtuoso.pid" ] || return 0
    pid="$(cat "$dir/virtuoso.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$dir/virtuoso.pid"
}

run_isql() {
    [ "$#" -ge 2 ] || usage
    "$ISQL" "127.0.0.1:$(isql_port "$1")" dba "${VIRTUOSO_DBA_PASSWORD:-dba}" "exec=$2"
}

case "${1:-}" in
start) shift && start "$@" ;;
stop) shift && stop "$@" ;;
isql) shift && run_isql "$@" ;;
*) usage ;;
esac
