"""A real WordPress for the tests: Debian's `wordpress` package on PHP's built-in server and MariaDB.

MariaDB runs from a fresh data folder with no network (a Unix socket only); PHP's server binds
127.0.0.1. WordPress is installed unattended by its own installer (``wp_install``, run by php-cli), and a
user's application password is made with ``WP_Application_Passwords``, as Users > Profile does.
scripts/test.sh installs the Debian packages.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WORDPRESS = Path("/usr/share/wordpress")
MARIADB = ("mariadbd", "mariadb-install-db")
APT = "wordpress php-cli php-mysql php-xml php-gd mariadb-server"
USER = "editor"
START_SECONDS = 30.0

CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
// Application passwords need HTTPS, or a site marked local.
define('WP_ENVIRONMENT_TYPE', 'local');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""

INSTALL = """<?php
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = '127.0.0.1';
function wp_mail() { return true; }  // no mail server: the installer's welcome mail goes nowhere
require $argv[1] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$login_password = wp_generate_password(24);  // never used: the tests sign in with the application password
$site = wp_install('Clinic test site', $argv[2], 'editor@example.invalid', false, '', $login_password);
update_option('permalink_structure', '/%postname%/');
$made = WP_Application_Passwords::create_new_application_password(
    $site['user_id'], array('name' => 'video2blog'));
echo $made[0], "\\n";
"""

# Test switches, as real plugins behave: one rejects posts whose title asks for it, one turns the REST
# API off (its routes removed) while a flag file exists.
POLICY_PLUGIN = """<?php
add_filter('rest_pre_insert_post', function ($post, $request) {
    if (isset($post->post_title) && strpos($post->post_title, 'REJECT') !== false) {
        $why = 'Posts need a clinician&#8217;s sign-off first.';
        return new WP_Error('clinic_policy', $why, array('status' => 400));
    }
    return $post;
}, 10, 2);
if (file_exists(__DIR__ . '/rest-off.flag')) {
    add_filter('rest_endpoints', '__return_empty_array');
}
"""


@dataclass(frozen=True)
class Site:
    """A running test WordPress."""

    url: str
    user: str
    password: str
    root: Path

    def rest_off(self, off: bool) -> None:
        flag = self.root / "wp-content" / "mu-plugins" / "rest-off.flag"
        flag.touch() if off else flag.unlink(missing_ok=True)


def missing() -> str:
    """What to install for a real WordPress, or "" when it is all here."""
    tools = ["php", *MARIADB]
    absent = [t for t in tools if not (shutil.which(t) or shutil.which(t, path="/usr/sbin:/usr/bin"))]
    if not (WORDPRESS / "wp-settings.php").exists():
        absent.append(str(WORDPRESS))
    if "php" not in absent and not _succeeds(["php", "-r", 'exit(extension_loaded("mysqli") ? 0 : 1);']):
        absent.append("php's mysqli")
    return f"install {APT} (apt-get install {APT}); missing: {', '.join(absent)}" if absent else ""


@contextlib.contextmanager
def wordpress_site(work: Path) -> Iterator[Site]:
    """Start MariaDB and WordPress under ``work``, install it, and stop both afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with _mariadb(work / "db") as sock:
        root = _wordpress_files(work / "wordpress", sock, url)
        password = _php([str(root), USER], INSTALL, work).strip().splitlines()[-1]
        with _php_server(root, port, work / "php.log"):
            _wait_for(url + "/wp-json/", work / "php.log")
            yield Site(url, USER, password, root)


@contextlib.contextmanager
def _mariadb(data: Path) -> Iterator[Path]:
    data.mkdir(parents=True)
    sock = data / "mysql.sock"
    init = [
        _sbin("mariadb-install-db"),
        "--no-defaults",
        f"--datadir={data}",
        "--user=root",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
    ]
    subprocess.run(init, check=True, capture_output=True, timeout=120)
    server = [
        _sbin("mariadbd"),
        "--no-defaults",
        f"--datadir={data}",
        f"--socket={sock}",
        "--skip-networking",
        "--user=root",
        f"--pid-file={data / 'mysqld.pid'}",
        f"--log-error={data / 'mysqld.err'}",
        "--innodb-buffer-pool-size=16M",
    ]
    with _running(server):
        client = [_sbin("mariadb"), "--no-defaults", f"--socket={sock}", "-uroot", "-e"]
        _wait_until(lambda: _succeeds([*client, "SELECT 1"]), data / "mysqld.err")
        subprocess.run([*client, "CREATE DATABASE wordpress"], check=True, capture_output=True, timeout=60)
        yield sock


def _succeeds(cmd: list[str]) -> bool:
    return subprocess.run(cmd, capture_output=True, timeout=30, check=False).returncode == 0


def _wordpress_files(root: Path, sock: Path, url: str) -> Path:
    """A copy of Debian's WordPress with its own wp-config.php (Debian's reads /etc/wordpress)."""
    shutil.copytree(WORDPRESS, root, symlinks=True)
    (root / "wp-config.php").write_text(CONFIG.format(socket=sock, url=url))
    (root / ".htaccess").unlink(missing_ok=True)
    plugins = root / "wp-content" / "mu-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "video2blog-test-policy.php").write_text(POLICY_PLUGIN)
    (root / "wp-content" / "uploads").mkdir(exist_ok=True)
    return root


def _php(args: list[str], script: str, work: Path) -> str:
    path = work / "script.php"
    path.write_text(script)
    done = subprocess.run(["php", str(path), *args], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"php {path} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return done.stdout


@contextlib.contextmanager
def _php_server(root: Path, port: int, log: Path) -> Iterator[None]:
    with log.open("wb") as out, _running(["php", "-S", f"127.0.0.1:{port}", "-t", str(root)], out):
        yield


@contextlib.contextmanager
def _running(cmd: list[str], out: object = subprocess.DEVNULL) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)  # type: ignore[arg-type]
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for(url: str, log: Path) -> None:
    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except (urllib.error.URLError, OSError):
            return False

    _wait_until(answers, log)


def _wait_until(ready: object, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if ready():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise RuntimeError(f"not ready after {START_SECONDS:.0f} s; see {log}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sbin(name: str) -> str:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin") or name
