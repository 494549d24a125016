#!/bin/sh
# rgw_up.sh: starts a single-node Ceph (1 mon, 1 memstore OSD, no mgr) and
# radosgw (beast) on 127.0.0.1 at an ephemeral port, every file in DIR.
#
#   sh tests/s3/rgw_up.sh DIR      # prints the endpoint, writes DIR/env
#   . DIR/env                      # S3_ENDPOINT, AWS_ACCESS_KEY_ID, ...
#                                  # S3_ENDPOINT_TLS (https, signed by RGW_CA)
#   sh tests/s3/rgw_down.sh DIR
#
# Every tool gets -c DIR/ceph.conf, so /etc/ceph is never read.  Installs
# Debian's ceph-mon ceph-osd radosgw ceph-common (and openssl, curl) when missing (as root).
# Each wait is bounded; on failure the daemons are stopped, the log tail
# printed and the exit status is 1.  radosgw logs one access line per
# request to DIR/client.rgw.log ($RGW_LOG; tests count PUTs there).
set -u
DIR=${1:?usage: rgw_up.sh DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ACCESS_KEY=${RGW_ACCESS_KEY:-SRTESTACCESSKEY00001}
SECRET_KEY=${RGW_SECRET_KEY:-srtestsecretkey0000000000000000000000001}

die() { echo "rgw_up: $*" >&2; for l in "$DIR"/*.log; do [ -f "$l" ] && { echo "--- $l" >&2; tail -5 "$l" >&2; }; done; sh "$HERE/rgw_down.sh" "$DIR" >/dev/null 2>&1; exit 1; }

need=""
for pair in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw ceph:ceph-common radosgw-admin:radosgw \
	monmaptool:ceph-common openssl:openssl curl:curl; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
if [ -n "$need" ]; then
	[ "$(id -u)" = 0 ] || { echo "rgw_up: missing:$need (apt-get install -y$need)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >/dev/null 2>&1; } ||
		{ echo "rgw_up: cannot install$need" >&2; exit 1; }
fi

mkdir -p "$DIR" || exit 1
DIR=$(cd "$DIR" && pwd)
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
MON_PORT=$(free_port)
RGW_PORT=$(free_port)
TLS_PORT=$(free_port)
# HTTPS too, with a CA of its own (tests check certificates are verified).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=srtest-ca \
	-keyout "$DIR/ca.key" -out "$DIR/ca.pem" >/dev/null 2>&1 &&
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$DIR/rgw.key" \
	-out "$DIR/rgw.csr" >/dev/null 2>&1 &&
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$DIR/san.ext" &&
openssl x509 -req -in "$DIR/rgw.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial \
	-days 2 -extfile "$DIR/san.ext" -out "$DIR/rgw.crt" >/dev/null 2>&1 &&
cat "$DIR/rgw.crt" "$DIR/rgw.key" >"$DIR/rgw.pem" || die "openssl could not make a certificate"
FSID=$(cat /proc/sys/kernel/random/uuid)
CONF=$DIR/ceph.conf
C="-c $CONF"

cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
run dir = $DIR
admin socket = $DIR/\$name.asok
log file = $DIR/\$name.log
pid file = $DIR/\$name.pid
# radosgw asks for "secure" mon connections, which auth none cannot give.
ms mon client mode = crc secure
ms client mode = crc secure
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
mon allow pool size one = true
mon allow pool delete = true
paxos propose interval = 0.05
paxos min wait = 0.01
osd objectstore = memstore
memstore device bytes = 2147483648
osd crush update on start = false
osd class update on start = false
osd data = $DIR/osd\$id
mon data = $DIR/mon\$id
ms bind ipv6 = false
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT ssl_endpoint=127.0.0.1:$TLS_PORT ssl_certificate=$DIR/rgw.pem
# Virtual-hosted names are BUCKET.localhost (libcurl resolves *.localhost
# to 127.0.0.1 itself); any other Host is path style.
rgw dns name = localhost
rgw enable ops log = false
rgw enable usage log = false
# Level 1 logs one access line per request ("beast: ... "PUT /b/k HTTP/1.1"
# 200 ..."), every one of them; the ops log file drops some under load.
debug rgw = 1
CONF

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds, at most
# SECONDS of wall time (each try is bounded by cephc's own timeout).
wait_for() {
	_end=$(($(date +%s) + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.1
	done
}
# The ceph CLI waits forever for a mon by default: bound every call.
cephc() { timeout 10 ceph $C --connect-timeout 5 "$@"; }

monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$DIR/monmap" >/dev/null 2>&1 || die "monmaptool failed"
ceph-mon $C --mkfs -i a --monmap "$DIR/monmap" >"$DIR/mkfs.log" 2>&1 || die "ceph-mon --mkfs failed"
ceph-mon $C -i a -f >>"$DIR/mon.a.out" 2>&1 &
echo $! >"$DIR/mon.pid"
wait_for 20 cephc mon stat || die "the monitor did not come up"

OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(cephc osd new "$OSD_UUID") || die "ceph osd new failed"
mkdir -p "$DIR/osd$OSD_ID"
ceph-osd $C -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >>"$DIR/mkfs.log" 2>&1 || die "ceph-osd --mkfs failed"
cephc osd crush add-bucket localhost host >/dev/null 2>&1
cephc osd crush move localhost root=default >/dev/null 2>&1
wait_for 20 cephc osd crush add "osd.$OSD_ID" 1.0 host=localhost || die "ceph osd crush add failed"
ceph-osd $C -i "$OSD_ID" -f >>"$DIR/osd.out" 2>&1 &
echo $! >"$DIR/osd.pid"
osd_up() { cephc osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up"; }
wait_for 30 osd_up || die "the OSD did not come up"

radosgw $C -n client.rgw -f >>"$DIR/rgw.out" 2>&1 &
echo $! >"$DIR/rgw.pid"
ENDPOINT=http://127.0.0.1:$RGW_PORT
rgw_up() { curl -s -o /dev/null -m 2 "$ENDPOINT/"; }
wait_for ${RGW_WAIT:-60} rgw_up || die "radosgw did not answer on $ENDPOINT"
timeout 30 radosgw-admin $C user create --uid=srtest --display-name=srtest \
	--access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >"$DIR/user.json" 2>>"$DIR/mkfs.log" ||
	die "radosgw-admin user create failed"

cat >"$DIR/env" <<ENV
S3_ENDPOINT=$ENDPOINT
AWS_ENDPOINT_URL=$ENDPOINT
AWS_ACCESS_KEY_ID=$ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$SECRET_KEY
AWS_REGION=us-east-1
RGW_LOG=$DIR/client.rgw.log
S3_ENDPOINT_TLS=https://127.0.0.1:$TLS_PORT
RGW_CA=$DIR/ca.pem
export S3_ENDPOINT AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION RGW_LOG
export S3_ENDPOINT_TLS RGW_CA
ENV
echo "$ENDPOINT"
