#!/bin/sh
# run-nginx.sh: a throw-away HTTPS server on 127.0.0.1 for bench-connections
#
#   run-nginx.sh start DIR [H2_PORT [H1_PORT [KEEPALIVE_TIMEOUT]]]
#   run-nginx.sh count DIR     requests nginx has logged so far
#   run-nginx.sh conns DIR     distinct connections nginx has logged so far
#   run-nginx.sh stop DIR
#
# `start` writes everything into DIR: a CA (DIR/ca.pem, the file to give
# bench-connections --ca), a certificate for 127.0.0.1 signed by it, the
# configuration and the logs; then starts nginx as a child of this shell,
# in the background, never touching the system service.  H2_PORT
# (default 8443) offers HTTP/2 and HTTP/1.1 by ALPN, H1_PORT (default
# 8444) HTTP/1.1 only.  KEEPALIVE_TIMEOUT is nginx's keepalive_timeout
# (default 75s, nginx's own default); it closes idle HTTP/1.1 and HTTP/2
# connections alike.  Every location answers any method, POST included,
# with a fixed createTask-like reply, but for /solve/ (bench-engine's
# whole solves): /solve/createTask answers a new task id, and
# /solve/getTaskResult a ready reCAPTCHA token.
#
# Needs nginx (nginx-light is enough) and openssl.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

set -eu

usage () {
  echo "usage: $0 start|stop|count|conns DIR [H2_PORT [H1_PORT [KEEPALIVE_TIMEOUT]]]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

make_certificates () {
  # ECDSA P-256, the key type most public HTTPS front ends present.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 2 \
    -subj "/CN=capsolver-glib bench CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/server.key" -out "$dir/server.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
}

write_config () {
  h2_port=$1 h1_port=$2 keepalive=$3
  cat > "$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 4096; }
http {
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  # one line per request: connection serial, its request count, protocol,
  # method, status, r when the TLS session was resumed
  log_format bench '\$connection \$connection_requests \$server_protocol \$request_method \$status \$ssl_session_reused';
  access_log $dir/access.log bench;
  keepalive_timeout $keepalive;
  keepalive_requests 1000000;
  ssl_certificate $dir/server.pem;
  ssl_certificate_key $dir/server.key;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:$h2_port ssl http2;
    listen 127.0.0.1:$h1_port ssl;
    location = /solve/createTask {
      default_type application/json;
      return 200 '{"errorId":0,"taskId":"\$request_id"}';
    }
    location = /solve/getTaskResult {
      default_type application/json;
      return 200 '{"errorId":0,"status":"ready","solution":{"gRecaptchaResponse":"03AGdBq25bench"}}';
    }
    location / {
      default_type application/json;
      return 200 '{"errorId":0,"errorCode":"","errorDescription":"","taskId":"0b8c4e52-ad1f-4c45-9a0b-1d3b0b4d7e01","status":"idle"}';
    }
  }
}
EOF
}

case $cmd in
  start)
    h2_port=${3:-8443}
    h1_port=${4:-8444}
    keepalive=${5:-75s}
    mkdir -p "$dir/tmp"
    [ -f "$dir/ca.pem" ] || make_certificates
    write_config "$h2_port" "$h1_port" "$keepalive"
    : > "$dir/access.log"
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
    echo $! > "$dir/child.pid"
    # wait until both ports answer (up to 5 s)
    for _ in $(seq 50); do
      if openssl s_client -connect "127.0.0.1:$h1_port" </dev/null >/dev/null 2>&1 &&
         openssl s_client -connect "127.0.0.1:$h2_port" </dev/null >/dev/null 2>&1; then
        : > "$dir/access.log"
        echo "nginx $(cat "$dir/child.pid") on https://127.0.0.1:$h2_port/ (h2) and https://127.0.0.1:$h1_port/ (http/1.1), keepalive_timeout $keepalive"
        exit 0
      fi
      sleep 0.1
    done
    echo "nginx did not start; see $dir/error.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/child.pid" ]; then
      pid=$(cat "$dir/child.pid")
      kill "$pid" 2>/dev/null || true
      rm -f "$dir/child.pid"
    fi
    ;;
  count)
    wc -l < "$dir/access.log"
    ;;
  conns)
    cut -d' ' -f1 "$dir/access.log" | sort -u | wc -l
    ;;
  *)
    usage
    ;;
esac
