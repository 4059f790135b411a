#!/usr/bin/env bash
# Two network namespaces joined by a veth pair shaped to a real 1 Gbit/s Ethernet link (tc tbf with a size
# table adding the 24 bytes of preamble, FCS and inter-frame gap per packet; offloads off so the shaper
# sees wire-sized packets), and an nginx in the server namespace that serves a payload and accepts PUT.
#
#   scripts/netlab.sh up DIR [RATE=1gbit]   prints the server URL (http://10.203.0.1:8080/)
#   scripts/netlab.sh down DIR             removes the namespaces, stops nginx, deletes DIR's files
#
# The client side runs commands with: ip netns exec conform-cli COMMAND
set -euo pipefail
action=${1:?usage: netlab.sh up|down DIR [RATE]}
dir=${2:?usage: netlab.sh up|down DIR [RATE]}
rate=${3:-1gbit}
srv=conform-srv
cli=conform-cli

down() {
    if [ -f "$dir/nginx.pid" ]; then kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true; fi
    ip netns pids "$srv" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns pids "$cli" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$srv" 2>/dev/null || true
    ip netns del "$cli" 2>/dev/null || true
    rm -rf "$dir/www" "$dir/nginx" "$dir/nginx.pid" "$dir/nginx.conf"
}

if [ "$action" = down ]; then
    down
    exit 0
fi

down
mkdir -p "$dir/www/upload" "$dir/nginx"
ip netns add "$srv"
ip netns add "$cli"
ip link add conform-s type veth peer name conform-c
ip link set conform-s netns "$srv"
ip link set conform-c netns "$cli"
ip -n "$srv" addr add 10.203.0.1/24 dev conform-s
ip -n "$cli" addr add 10.203.0.2/24 dev conform-c
for pair in "$srv:conform-s" "$cli:conform-c"; do
    ns=${pair%%:*}; dev=${pair##*:}
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$dev" up
    ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null 2>&1 || true
    ip netns exec "$ns" tc qdisc add dev "$dev" root stab overhead 24 linklayer ethernet tbf rate "$rate" burst 32kb latency 50ms
done
head -c 300000000 /dev/urandom > "$dir/www/payload.bin"
cat > "$dir/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    server {
        listen 10.203.0.1:8080;
        root $dir/www;
        client_max_body_size 0;
        location /upload/ { dav_methods PUT; create_full_put_path on; }
    }
}
CONF
# nginx daemonises: it must hold none of our descriptors (stdout or any pipe inherited from the caller),
# or a caller reading our output to EOF waits for ever.
(
    for fd in /proc/$BASHPID/fd/*; do
        n=${fd##*/}
        if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    exec ip netns exec "$srv" nginx -c "$dir/nginx.conf" -p "$dir/nginx" </dev/null >/dev/null 2>&1
)
for _ in $(seq 50); do
    ip netns exec "$cli" bash -c 'exec 3<>/dev/tcp/10.203.0.1/8080' 2>/dev/null && break
    sleep 0.1
done
echo "http://10.203.0.1:8080/"
