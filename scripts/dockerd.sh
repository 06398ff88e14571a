#!/usr/bin/env bash
# scripts/dockerd.sh — start a Docker engine by hand (idempotent) for the
# sandbox's docker driver and its tests, with gVisor registered as the
# runtime "runsc", and build the local image kylecode-local:latest.
#
# No registry is reachable here, so the image is made with `docker import`
# from a tiny rootfs (mount points, /bin-style links to /usr, passwd/group
# stubs); the driver binds the host's /usr (and /lib*, /bin when they are
# directories) read-only at run time.
#
#   scripts/dockerd.sh            start (if needed), wait, build the image
#   scripts/dockerd.sh --check    exit 0 if the engine answers, 1 if not
# Exit 0 when `docker info` works and the image exists; 1 with the reason.
set -euo pipefail

IMAGE=${KC_DOCKER_IMAGE:-kylecode-local:latest}
CONF=/etc/docker/daemon.json
LOG=${KC_DOCKERD_LOG:-/var/log/kylecode-dockerd.log}

die() { echo "dockerd.sh: $*" >&2; exit 1; }

if [[ ${1:-} == --check ]]; then
	docker info >/dev/null 2>&1
	exit $?
fi
if [[ ${1:-} == --help || ${1:-} == -h ]]; then
	sed -n '2,16p' "$0"
	exit 0
fi
command -v dockerd >/dev/null || die "dockerd not installed (apt-get install docker.io)"
command -v docker >/dev/null || die "docker CLI not installed (apt-get install docker.io)"

# 1. daemon.json: merge the runsc runtime into whatever is there.
register_runsc() {
	local runsc
	runsc=$(command -v runsc || true)
	[[ -n $runsc ]] || { echo "dockerd.sh: runsc not installed: --runtime=runsc unavailable" >&2; return 0; }
	mkdir -p /etc/docker
	python3 - "$CONF" "$runsc" <<'EOF' || return $?
import json, os, sys
path, runsc = sys.argv[1], sys.argv[2]
conf = {}
if os.path.exists(path) and os.path.getsize(path) > 0:
    with open(path) as f:
        conf = json.load(f)
want = {"path": runsc, "runtimeArgs": ["--network=none", "--oci-seccomp"]}
if conf.get("runtimes", {}).get("runsc") != want:
    conf.setdefault("runtimes", {})["runsc"] = want
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(conf, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    print("dockerd.sh: registered runsc in " + path, file=sys.stderr)
    sys.exit(10)
EOF
}

# 2. the engine, unless one already answers.
start_engine() {
	if docker info >/dev/null 2>&1; then
		return 0
	fi
	if ! pgrep -x dockerd >/dev/null; then
		# No bridge, no iptables: containers get --network none anyway.
		nohup dockerd --iptables=false --bridge=none >>"$LOG" 2>&1 &
	fi
	for _ in $(seq 1 150); do
		docker info >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "dockerd did not answer within 30 s; see $LOG"
}

# 3. the image. IMAGE_REV changes when its content must change (rebuilt then).
IMAGE_REV=2 # 2: /tmp 1777 (docker copies the image dir's mode onto the tmpfs)
build_image() {
	local rev
	rev=$(docker image inspect -f '{{ index .Config.Labels "kylecode.rev" }}' "$IMAGE" 2>/dev/null || true)
	[[ $rev == "$IMAGE_REV" ]] && return 0
	local root
	root=$(mktemp -d)
	trap 'rm -rf "$root"' RETURN
	mkdir -p "$root"/{usr,etc,workspace,tmp,proc,dev,sys,run,var}
	chmod 1777 "$root/tmp"
	for d in bin sbin lib lib32 lib64 libx32; do
		if [[ -L /$d ]]; then
			ln -s "$(readlink /$d)" "$root/$d"
		elif [[ -d /$d ]]; then
			mkdir "$root/$d"
		fi
	done
	printf 'root:x:0:0:root:/tmp:/bin/sh\nagent:x:1000:1000:kylecode agent:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
	printf 'root:x:0:\nagent:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
	printf '127.0.0.1\tlocalhost kylecode\n::1\tlocalhost\n' >"$root/etc/hosts"
	tar -C "$root" -c . | docker import -c 'WORKDIR /workspace' -c "LABEL kylecode.rev=$IMAGE_REV" - "$IMAGE" >/dev/null
	echo "dockerd.sh: built $IMAGE" >&2
}

changed=0
register_runsc || { rc=$?; [[ $rc == 10 ]] || exit "$rc"; changed=1; }
# A running engine that predates the runsc registration must reload it.
if [[ $changed == 1 ]] && docker info >/dev/null 2>&1; then
	# SIGHUP reloads daemon.json (runtimes included); by pid, never by name.
	[[ -s /var/run/docker.pid ]] && kill -HUP "$(cat /var/run/docker.pid)" || true
	sleep 1 # the reload is asynchronous and has no completion signal
fi
start_engine
build_image
