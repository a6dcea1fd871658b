#!/usr/bin/env bash
# Everything InfoCenter needs on one Debian/Ubuntu machine, installed only when missing:
#   - uv (python3 -m pip install uv),
#   - PostgreSQL and RabbitMQ from the distribution's packages (apt-get), when they are
#     not already reachable on 127.0.0.1:5432 / :5672, then started without systemd:
#       pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
#       rabbitmq-server -detached
#   - (`--browser`) Debian's Chromium for the portal's browser tests (apt-get install chromium)
#     and axe-core from the npm registry (npm ci in tests/e2e/browser).
#   - (`--documents`, and by `make up`) what the reports service renders its PDFs with and
#     its golden tests read them with: Pango and HarfBuzz for WeasyPrint, the DejaVu fonts,
#     poppler-utils (pdftotext, pdfinfo, pdfdetach).
#   - (`--observability`, and by `make up`) Debian's Prometheus (prometheus, with promtool)
#     and its PostgreSQL exporter (prometheus-postgres-exporter), which the local runner
#     starts beside the stack, and RabbitMQ's Prometheus endpoint (:15692), enabled on the
#     running broker with `rabbitmq-plugins enable rabbitmq_prometheus` (kept across
#     restarts in its enabled_plugins file).
#   - (`--clamav`, and by `make up`) Debian's ClamAV daemon (clamav-daemon), which scans the
#     files attached to notes, started on 127.0.0.1:3310 (CASES_CLAMD_ADDRESS) with its
#     config and a one-signature database under var/clamav/: freshclam has no route out
#     here, so the database is the EICAR test signature in ClamAV's own .ndb format (in
#     production freshclam keeps the official database current: docs/runbook.md).
#   - (`--broker`, and with the infrastructure) RabbitMQ's open-file limit raised to its hard
#     limit (rabbitmq-env.conf), the running broker restarted once if it is too low.
# Idempotent; safe to run again. Used by `make up`, `make infra` and (`--uv`, `--documents`,
# `--browser`, `--observability`, `--clamav`, `--broker`) `make test`.
set -euo pipefail

PG_PORT=5432
AMQP_PORT=5672

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[1;31merror: %s\033[0m\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

reachable() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # port name seconds
    local deadline=$((SECONDS + $3))
    until reachable "$1"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            die "$2 did not open 127.0.0.1:$1 within $3s"
        fi
        sleep 1
    done
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null || die "apt-get not found: install $* yourself"
    if [ "$APT_UPDATED" -eq 0 ]; then
        "${SUDO[@]}" apt-get update -qq
        APT_UPDATED=1
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# -- uv ---------------------------------------------------------------------------------
install_uv() {
    export PATH="$HOME/.local/bin:$PATH"
    if command -v uv >/dev/null; then
        return
    fi
    say "installing uv (python3 -m pip install uv)"
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    python3 -m pip install --user --quiet uv 2>/dev/null \
        || python3 -m pip install --user --quiet --break-system-packages uv \
        || python3 -m pip install --quiet --break-system-packages uv
    command -v uv >/dev/null || die "uv installed but not on PATH (add ~/.local/bin)"
}

# -- PostgreSQL -------------------------------------------------------------------------
pg_versions() { ls /etc/postgresql 2>/dev/null || true; }

start_postgres() {
    if reachable "$PG_PORT"; then
        say "PostgreSQL is reachable on 127.0.0.1:$PG_PORT"
        return
    fi
    local fresh=0
    if [ -z "$(pg_versions)" ]; then
        say "installing PostgreSQL (apt-get install postgresql)"
        apt_install postgresql
        fresh=1
    fi
    local version
    version="$(pg_versions | sort -V | tail -n 1)"
    [ -n "$version" ] || die "PostgreSQL is installed but has no cluster under /etc/postgresql"
    if [ "$fresh" -eq 1 ]; then
        # A fresh development cluster: let local TCP connections in as any role without a
        # password (as the test fixtures expect: postgresql://postgres@127.0.0.1:5432/).
        # Never do this on a shared machine; an existing cluster is left as it is.
        local hba="/etc/postgresql/$version/main/pg_hba.conf"
        if ! "${SUDO[@]}" grep -q "infocenter-dev" "$hba"; then
            say "PostgreSQL: trust for 127.0.0.1/::1 in $hba (development cluster)"
            "${SUDO[@]}" sed -i '1i host all all 127.0.0.1/32 trust # infocenter-dev\nhost all all ::1/128 trust # infocenter-dev' "$hba"
        fi
    fi
    say "starting PostgreSQL $version (pg_ctlcluster --skip-systemctl-redirect $version main start)"
    "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for_port "$PG_PORT" PostgreSQL 60
}

# -- RabbitMQ ---------------------------------------------------------------------------
start_rabbitmq() {
    if reachable "$AMQP_PORT"; then
        say "RabbitMQ is reachable on 127.0.0.1:$AMQP_PORT"
        return
    fi
    if ! command -v rabbitmq-server >/dev/null && [ ! -x /usr/sbin/rabbitmq-server ]; then
        say "installing RabbitMQ (apt-get install rabbitmq-server)"
        apt_install rabbitmq-server
    fi
    say "starting RabbitMQ (rabbitmq-server -detached)"
    "${SUDO[@]}" env PATH="/usr/sbin:$PATH" rabbitmq-server -detached || true
    wait_for_port "$AMQP_PORT" RabbitMQ 120
}

# RabbitMQ's file handle cache takes its limit from the broker's soft open-file limit (less
# a reserve), and every quorum queue keeps about three handles. Started through `su`, the
# broker gets PAM's default of 1,024 (927 handles); a test run keeps ~300 queues at a time,
# and there new connections waited forever for a handle (CI stalled, `aio_pika.connect`
# hanging). The broker's scripts source rabbitmq-env.conf as the rabbitmq user: there the
# soft limit is raised to the hard one. A broker already running below the minimum is
# restarted once (its durable queues come back).
BROKER_ENV=/etc/rabbitmq/rabbitmq-env.conf
BROKER_MIN_OPEN_FILES=8192

broker_open_files() { # the running broker's soft limit (empty when none runs)
    local pid
    pid="$(pgrep -u rabbitmq -f beam.smp | head -1 || true)"
    if [ -n "$pid" ]; then awk '/^Max open files/ {print $4}' "/proc/$pid/limits"; fi
}

raise_broker_open_files() {
    if [ -d "$(dirname "$BROKER_ENV")" ] && ! grep -qs 'ulimit -n' "$BROKER_ENV"; then
        say "RabbitMQ: open files up to the hard limit ($BROKER_ENV)"
        printf '%s\n' '# InfoCenter (deploy/local/install.sh): file handles for quorum queues' \
            'ulimit -n "$(ulimit -Hn)" 2>/dev/null || true' \
            | "${SUDO[@]}" tee -a "$BROKER_ENV" >/dev/null
    fi
    local soft
    soft="$(broker_open_files)"
    if [ -z "$soft" ] || [ "$soft" = unlimited ] || [ "$soft" -ge "$BROKER_MIN_OPEN_FILES" ]; then
        return
    fi
    say "restarting RabbitMQ: it runs with $soft open files, its quorum queues need more"
    "${SUDO[@]}" env PATH="/usr/sbin:$PATH" rabbitmqctl stop >/dev/null
    "${SUDO[@]}" env PATH="/usr/sbin:$PATH" rabbitmq-server -detached
    wait_for_port "$AMQP_PORT" RabbitMQ 120
    "${SUDO[@]}" env PATH="/usr/sbin:$PATH" rabbitmqctl await_startup >/dev/null
    soft="$(broker_open_files)"
    if [ "$soft" != unlimited ] && [ "${soft:-0}" -lt "$BROKER_MIN_OPEN_FILES" ]; then
        say "warning: RabbitMQ still runs with ${soft:-?} open files; raise its hard limit"
    fi
}

# -- browser tests ----------------------------------------------------------------------
BROWSER_TESTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/e2e/browser"

install_browser() {
    if [ ! -x /usr/bin/chromium ]; then
        say "installing Chromium for the browser tests (apt-get install chromium)"
        apt_install chromium fonts-dejavu-core
    fi
    if ! command -v npm >/dev/null; then
        say "installing npm (apt-get install npm)"
        apt_install npm
    fi
    local lock="$BROWSER_TESTS/package-lock.json" installed="$BROWSER_TESTS/node_modules/.package-lock.json"
    if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
        say "axe-core for the accessibility checks (npm ci in tests/e2e/browser)"
        (cd "$BROWSER_TESTS" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

# -- documents (reports service) ---------------------------------------------------------
install_documents() {
    local missing=()
    ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
    ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
    ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing what the reports service renders PDFs with (apt-get install ${missing[*]})"
        apt_install "${missing[@]}"
    fi
}

# -- observability ----------------------------------------------------------------------
RABBITMQ_PROMETHEUS_PORT=15692

install_observability() {
    local missing=()
    command -v prometheus >/dev/null || missing+=(prometheus)
    command -v prometheus-postgres-exporter >/dev/null || missing+=(prometheus-postgres-exporter)
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing Prometheus and the PostgreSQL exporter (apt-get install ${missing[*]})"
        apt_install "${missing[@]}"
    fi
    # The Debian packages start their own daemons where systemd runs; the stack runs its own
    # (own ports and data under var/), so a packaged daemon is not needed and stays as it is.
    enable_rabbitmq_prometheus
}

enable_rabbitmq_prometheus() {
    if reachable "$RABBITMQ_PROMETHEUS_PORT"; then
        return
    fi
    if ! reachable "$AMQP_PORT"; then
        say "RabbitMQ is not running: enable its Prometheus endpoint later (install.sh --observability)"
        return
    fi
    local plugins
    plugins="$(command -v rabbitmq-plugins || echo /usr/sbin/rabbitmq-plugins)"
    [ -x "$plugins" ] || die "rabbitmq-plugins not found: enable rabbitmq_prometheus on the broker yourself"
    say "enabling RabbitMQ's Prometheus endpoint (rabbitmq-plugins enable rabbitmq_prometheus)"
    "${SUDO[@]}" env PATH="/usr/sbin:$PATH" "$plugins" enable rabbitmq_prometheus >/dev/null
    wait_for_port "$RABBITMQ_PROMETHEUS_PORT" "RabbitMQ's rabbitmq_prometheus" 60
}

# -- ClamAV (attachments on notes) --------------------------------------------------------
CLAMD_PORT=3310
CLAMAV_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/var/clamav"
# the EICAR test string, hex: matched anywhere in any file (ClamAV extended signature format)
EICAR_HEX=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a

clamd_binary() { command -v clamd || { [ -x /usr/sbin/clamd ] && echo /usr/sbin/clamd; } || true; }

install_clamav() {
    if [ -z "$(clamd_binary)" ]; then
        say "installing ClamAV's daemon for the attachment scans (apt-get install clamav-daemon)"
        apt_install clamav-daemon
    fi
    mkdir -p "$CLAMAV_DIR/db"
    printf 'Eicar-Test-Signature:0:*:%s\n' "$EICAR_HEX" >"$CLAMAV_DIR/db/infocenter-dev.ndb"
    cat >"$CLAMAV_DIR/clamd.conf" <<CONF
# written by deploy/local/install.sh --clamav (development: the EICAR signature only)
TCPSocket $CLAMD_PORT
TCPAddr 127.0.0.1
DatabaseDirectory $CLAMAV_DIR/db
PidFile $CLAMAV_DIR/clamd.pid
LogFile $CLAMAV_DIR/clamd.log
StreamMaxLength 32M
SelfCheck 3600
CONF
    if reachable "$CLAMD_PORT"; then
        say "clamd is reachable on 127.0.0.1:$CLAMD_PORT"
        return
    fi
    say "starting clamd on 127.0.0.1:$CLAMD_PORT (clamd -c var/clamav/clamd.conf)"
    "$(clamd_binary)" -c "$CLAMAV_DIR/clamd.conf"
    wait_for_port "$CLAMD_PORT" clamd 120
}

main() {
    if [ "${1:-}" = "--clamav" ]; then  # `make test`: the attachment scanner
        install_clamav
        return
    fi
    if [ "${1:-}" = "--documents" ]; then  # `make test`: PDF rendering and its golden tests
        install_documents
        return
    fi
    if [ "${1:-}" = "--browser" ]; then  # `make test`: what the browser tests need
        install_browser
        return
    fi
    if [ "${1:-}" = "--observability" ]; then  # `make test`: promtool, Prometheus, exporter
        install_observability
        return
    fi
    if [ "${1:-}" = "--broker" ]; then  # `make test`: the running broker's open files
        raise_broker_open_files
        return
    fi
    local only_infra=0
    [ "${1:-}" = "--infra" ] && only_infra=1
    if [ "${1:-}" = "--uv" ]; then  # `make test`: the tool only; infrastructure is checked
        install_uv
        return
    fi
    [ "$only_infra" -eq 1 ] || install_uv
    [ "$only_infra" -eq 1 ] || install_documents
    start_postgres
    start_rabbitmq
    raise_broker_open_files
    [ "$only_infra" -eq 1 ] || install_observability
    [ "$only_infra" -eq 1 ] || install_clamav
    say "infrastructure ready: PostgreSQL 127.0.0.1:$PG_PORT, RabbitMQ 127.0.0.1:$AMQP_PORT"
}

main "$@"
