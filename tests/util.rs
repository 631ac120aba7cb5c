//! Test support: a fresh directory and catalog per test, the real binaries, the emulator.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const CONNSQL: &str = env!("CARGO_BIN_EXE_connsql");
/// The emulator, a binary of the workspace's `connsql-sts-emulator` crate, built beside connsql
/// by `cargo test` at the workspace root (both are default members).
pub static EMULATOR: std::sync::LazyLock<std::path::PathBuf> = std::sync::LazyLock::new(|| {
    let path = std::path::Path::new(CONNSQL).with_file_name("connsql-sts-emulator");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test` at the workspace root, or `cargo build -p connsql-sts-emulator`",
        path.display()
    );
    path
});

/// A temporary home with its own catalog, and the environment connsql runs in: no AWS
/// settings from the machine, instance metadata disabled, no colour.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub catalog: PathBuf,
    vars: Vec<(String, String)>,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts exit status 0 and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts the exit status and returns stderr.
    #[track_caller]
    pub fn fails(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        &self.stderr
    }

    /// The stdout lines parsed as JSON.
    #[track_caller]
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    }
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let catalog = dir.path().join("catalog.db");
        let home = dir.path().to_string_lossy().into_owned();
        let vars = vec![
            ("HOME".to_string(), home.clone()),
            ("XDG_DATA_HOME".to_string(), format!("{home}/data")),
            ("XDG_CACHE_HOME".to_string(), format!("{home}/cache")),
            ("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string()),
            (
                "AWS_CONFIG_FILE".to_string(),
                format!("{home}/no-aws-config"),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE".to_string(),
                format!("{home}/no-aws-credentials"),
            ),
            ("NO_COLOR".to_string(), "1".to_string()),
            ("USER".to_string(), "tester".to_string()),
        ];
        Env { dir, catalog, vars }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The environment connsql runs in.
    pub fn vars(&self) -> Vec<(String, String)> {
        let mut vars = self.vars.clone();
        vars.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
        vars
    }

    pub fn unset(&mut self, key: &str) -> &mut Self {
        self.vars.retain(|(k, _)| k != key);
        self
    }

    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_string(), value.to_string()));
        self
    }

    /// Points AWS settings at an emulator, as the given base identity.
    pub fn use_emulator(
        &mut self,
        emulator: &Emulator,
        access_key: &str,
        secret: &str,
    ) -> &mut Self {
        self.set("AWS_ENDPOINT_URL_STS", &emulator.endpoint)
            .set("AWS_ENDPOINT_URL_S3", &emulator.endpoint)
            .set("AWS_REGION", "us-east-1")
            .set("AWS_ACCESS_KEY_ID", access_key)
            .set("AWS_SECRET_ACCESS_KEY", secret)
    }

    /// `connsql --catalog <this catalog> ARGS` in a pseudo-terminal, each expectation given
    /// `timeout_secs`.
    pub fn pty(&self, args: &[&str], timeout_secs: u64) -> rexpect::session::PtySession {
        let mut cmd = self.command();
        cmd.args(args);
        rexpect::session::spawn_command(cmd, Some(timeout_secs * 1000)).expect("spawn in a pty")
    }

    /// The REPL (`connsql --catalog <this catalog> ARGS` in a pseudo-terminal) at its first
    /// prompt.
    pub fn repl(&self, args: &[&str]) -> rexpect::session::PtySession {
        let mut p = self.pty(args, 10);
        p.exp_string("connsql> ").expect("prompt");
        p
    }

    /// `connsql --catalog <this catalog>`, in this environment.
    pub fn command(&self) -> Command {
        let mut cmd = self.command_without_catalog();
        cmd.arg("--catalog").arg(&self.catalog);
        cmd
    }

    /// `connsql --catalog <this catalog>` inside a network namespace of its own, where packets
    /// to the instance-metadata address 169.254.169.254 go nowhere (a veth pair and a static
    /// neighbour entry for a MAC nobody owns), like a host off EC2 that drops them.
    pub fn command_in_blackhole_netns(&self) -> Command {
        let setup = "ip link add veth0 type veth peer name veth1 && ip addr add 169.254.0.1/16 dev veth0 \
             && ip link set veth0 up && ip link set veth1 up \
             && ip neigh add 169.254.169.254 lladdr 02:00:00:00:00:99 dev veth0 nud permanent \
             && exec \"$0\" \"$@\"";
        let mut cmd = Command::new("unshare");
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd.args(["--net", "sh", "-c", setup, CONNSQL, "--catalog"])
            .arg(&self.catalog);
        cmd
    }

    /// `connsql` in this environment, finding its catalog itself.
    pub fn command_without_catalog(&self) -> Command {
        let mut cmd = Command::new(CONNSQL);
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let child = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run connsql");
        Run::from(bounded(child, args))
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn connsql");
        let mut input = child.stdin.take().expect("stdin");
        let text = stdin.to_string();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(text.as_bytes());
        });
        let out = bounded(child, args);
        writer.join().expect("writer");
        Run::from(out)
    }

    /// `connsql --no-validate --format json -f file`, its reports going to the file `out`.
    pub fn spawn_batch_reporting(&self, file: &Path, out: &Path, stderr: Stdio) -> Child {
        self.command()
            .args(["--no-validate", "--format", "json", "-f"])
            .arg(file)
            .stdout(std::fs::File::create(out).expect("reports file"))
            .stderr(stderr)
            .spawn()
            .expect("spawn connsql")
    }

    /// Runs `sql` offline (`--no-validate`) and asserts success.
    #[track_caller]
    pub fn sql(&self, sql: &str) -> String {
        self.run(&["--no-validate", "-c", sql]).ok().to_string()
    }

    /// SHOW CONNECTIONS as JSON rows.
    pub fn connections(&self) -> Vec<serde_json::Value> {
        let run = self.run(&[
            "--no-validate",
            "--format",
            "json",
            "-c",
            "SHOW CONNECTIONS",
        ]);
        run.ok();
        match run.json_lines().pop() {
            Some(serde_json::Value::Array(rows)) => rows,
            other => panic!("not a result set: {other:?}"),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }
}

/// A running `connsql-sts-emulator`, stopped when dropped.
pub struct Emulator {
    child: Child,
    pub endpoint: String,
    _config: tempfile::NamedTempFile,
}

/// The base identity of the standard test world.
pub const CI_KEY: &str = "AKIACONNSQLTEST00001";
pub const CI_SECRET: &str = "ci-secret";
pub const CI_ARN: &str = "arn:aws:iam::111111111111:user/ci";

impl Emulator {
    pub fn start(world: &serde_json::Value, extra: &[&str]) -> Emulator {
        let mut config = tempfile::NamedTempFile::new().expect("config file");
        config
            .write_all(world.to_string().as_bytes())
            .expect("write config");
        let mut child = Command::new(&*EMULATOR)
            .arg("--config")
            .arg(config.path())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read address");
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .expect("address line")
            .to_string();
        Emulator {
            child,
            endpoint,
            _config: config,
        }
    }

    /// The standard world: the CI user, a role trusting it with external ID `a1b2c3d4`, a role
    /// that does not require an external ID, a key pair, and a disabled region.
    pub fn standard(extra: &[&str]) -> Emulator {
        Emulator::start(&standard_world(), extra)
    }

    /// The emulator's counters (`requests`, `peak_in_flight`).
    pub fn stats(&self) -> serde_json::Value {
        self.get("/_emulator/stats").expect("stats")
    }

    /// What the emulator issued to a temporary access key: its ARN and session policy.
    pub fn session(&self, access_key_id: &str) -> Option<serde_json::Value> {
        self.get(&format!("/_emulator/sessions/{access_key_id}"))
    }

    /// Every AssumeRole the emulator granted: role, session name, external ID, source identity.
    pub fn assumed(&self) -> serde_json::Value {
        self.get("/_emulator/assumed").expect("assumed")
    }

    /// A JSON answer of the emulator's own endpoints; `None` for a 404.
    fn get(&self, path: &str) -> Option<serde_json::Value> {
        let addr = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        if response.starts_with("HTTP/1.1 404") {
            return None;
        }
        let body = response.split("\r\n\r\n").nth(1).expect("body");
        Some(serde_json::from_str(body).expect("JSON"))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The emulator's usual world. Its trust statements allow `sts:SetSourceIdentity` too, as the
/// trust policy of a team catalog (`SHOW TRUST POLICY`) says they must.
pub fn standard_world() -> serde_json::Value {
    // Reading and listing every bucket: what most roles of the seed's setup are given.
    let reader = serde_json::json!({ "Statement": [{ "Effect": "Allow",
        "Action": ["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"], "Resource": "*" }] });
    serde_json::json!({
        "users": [
            { "access_key_id": CI_KEY, "secret_access_key": CI_SECRET, "arn": CI_ARN, "permissions": reader },
            { "access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
              "arn": "arn:aws:iam::123456789012:user/loader", "permissions": reader }
        ],
        "roles": [
            { "arn": "arn:aws:iam::123456789012:role/lake-reader",
              "trust": [{ "principal": CI_ARN, "external_id": "a1b2c3d4", "set_source_identity": true }], "permissions": reader },
            { "arn": "arn:aws:iam::123456789012:role/loose",
              "trust": [{ "principal": "arn:aws:iam::111111111111:root", "set_source_identity": true }], "permissions": reader },
            { "arn": "arn:aws:iam::123456789012:role/flaky",
              "trust": [{ "principal": CI_ARN, "external_id": "a1b2c3d4", "set_source_identity": true }],
              "fault": "throttle", "fault_count": 1, "permissions": reader },
            { "arn": "arn:aws:iam::123456789012:role/hangs",
              "trust": [{ "principal": CI_ARN, "external_id": "a1b2c3d4", "set_source_identity": true }],
              "fault": "hang", "fault_count": 100 }
        ],
        "buckets": [
            { "name": "lake-raw", "objects": ["raw/2024/01/orders.json", "raw/2024/02/orders.json"] }
        ],
        "disabled_regions": ["eu-south-2"]
    })
}

/// `n` role connections' CREATE statements for the lake-reader role.
pub fn role_creates(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "CREATE S3 CONNECTION c{i} AWS_ROLE = 'arn:aws:iam::123456789012:role/lake-reader' EXTERNAL_ID = 'a1b2c3d4';\n"
            )
        })
        .collect()
}

/// What a measured run took: wall time and the child's own peak resident memory.
#[derive(Debug)]
pub struct Measured {
    pub code: i32,
    pub wall: std::time::Duration,
    pub max_rss_kib: i64,
}

/// Runs `cmd` (stdout and stderr to /dev/null) and reads its peak memory with `wait4`, from a
/// small Python parent: a child's `ru_maxrss` counts the peak of the process that spawned it
/// (the address space it started in), and the test binary's own peak can be hundreds of MiB
/// while other tests run.
pub fn measure(cmd: Command) -> Measured {
    const HELPER: &str = "import os, sys, time\n\
        t = time.monotonic()\n\
        null = os.open(os.devnull, os.O_RDWR)\n\
        pid = os.fork()\n\
        if pid == 0:\n\
        \x20   os.dup2(null, 0); os.dup2(null, 1); os.dup2(null, 2)\n\
        \x20   os.execv(sys.argv[1], sys.argv[1:])\n\
        _, status, ru = os.wait4(pid, 0)\n\
        print(os.waitstatus_to_exitcode(status), time.monotonic() - t, ru.ru_maxrss)\n";
    let mut helper = Command::new("python3");
    helper.env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            helper.env(k, v);
        }
    }
    helper
        .arg("-c")
        .arg(HELPER)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(Stdio::null());
    let out = helper
        .output()
        .expect("python3 runs the measured command (apt-get install python3)");
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [code, wall, rss] = fields.as_slice() else {
        panic!(
            "measuring failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    Measured {
        code: code.parse().expect("exit code"),
        wall: std::time::Duration::from_secs_f64(wall.parse().expect("wall")),
        max_rss_kib: rss.parse().expect("maxrss"),
    }
}

/// Whether the tests run as root (a tmpfs can be mounted, files given away).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

impl Env {
    /// Creates the catalog with one statement that changes something (reads never create it).
    pub fn init_catalog(&self) {
        self.sql("CREATE S3 CONNECTION init_marker; DROP CONNECTION init_marker");
    }

    /// `connsql --catalog <this catalog>` run as the unprivileged user `nobody` (the tests run
    /// as root on CI, where file permissions would not apply otherwise).
    pub fn command_as_nobody(&self) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            CONNSQL,
            "--catalog",
        ])
        .arg(&self.catalog);
        cmd
    }

    /// The catalog's connection names, read through the library (either engine).
    pub fn stored_names(&self) -> Vec<String> {
        connsql::catalog::Catalog::open(&self.catalog)
            .expect("open catalog")
            .names()
            .expect("names")
    }
}

/// A PostgreSQL server for the tests: the machine's own binaries (`initdb`, `postgres`), a
/// data directory in the temp dir, loopback only, run as `nobody` when the tests run as root.
/// One per test process, started on first use; it dies with the process (parent-death
/// signal). A machine without PostgreSQL fails loudly with the install command.
pub struct PgServer {
    /// `postgresql://connsql@127.0.0.1:PORT`
    pub base: String,
    pub port: u16,
    pub dir: PathBuf,
    _child: Child,
}

static PG: std::sync::OnceLock<PgServer> = std::sync::OnceLock::new();
static PG_DATABASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A PostgreSQL program: on the PATH, or in Debian's versioned directory.
pub fn pg_bin(name: &str) -> PathBuf {
    let on_path = std::env::var("PATH").unwrap_or_default();
    for dir in on_path.split(':') {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.flatten()
                .map(|e| e.path().join("bin").join(name))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL's {name} is not installed; the PostgreSQL catalog tests need a server: \
             apt-get install postgresql (.ci/run does this)"
            )
        })
}

/// `cmd`, as `nobody` when the tests run as root (PostgreSQL refuses to run as root).
fn as_unprivileged(program: &Path, pdeathsig: bool) -> Command {
    if is_root() {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        if pdeathsig {
            cmd.arg("--pdeathsig=KILL");
        }
        cmd.arg(program);
        cmd
    } else {
        let mut cmd = Command::new(program);
        if pdeathsig {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe; it only sets this process's parent-death signal.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
        }
        cmd
    }
}

impl PgServer {
    pub fn shared() -> &'static PgServer {
        PG.get_or_init(PgServer::start)
    }

    fn start() -> PgServer {
        let tmp = std::env::temp_dir();
        // Directories of earlier test processes that are gone.
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("connsql-pg-").and_then(|p| p.parse::<i32>().ok())
                    // SAFETY: kill with signal 0 only checks whether the process exists.
                    && unsafe { libc::kill(pid, 0) } != 0
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = tmp.join(format!("connsql-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("PostgreSQL directory");
        if is_root() {
            // SAFETY: chown of a directory we just made; the path is NUL-free.
            let c = std::ffi::CString::new(dir.to_str().expect("utf-8")).unwrap();
            unsafe { libc::chown(c.as_ptr(), 65534, 65534) };
        }
        let data = dir.join("data");
        let out = as_unprivileged(&pg_bin("initdb"), false)
            .args([
                "-A",
                "trust",
                "-U",
                "connsql",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The tests' own role logs in on trust; every other role needs its password, so that
        // the libpq password conventions and a refused login are tested for real.
        // (Writing over initdb's file keeps its owner, the server's user.)
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\n\
             host all connsql 127.0.0.1/32 trust\n\
             host all all 127.0.0.1/32 scram-sha-256\n",
        )
        .expect("pg_hba.conf");
        let port = free_port();
        // The parent-death signal fires when the spawning *thread* ends, and tests run on
        // threads that end: the server is started from a thread that lives as long as the
        // process.
        let (tx, rx) = std::sync::mpsc::channel();
        let (data2, dir2) = (data.clone(), dir.clone());
        std::thread::spawn(move || {
            let child = spawn_postgres(&data2, &dir2, port);
            let _ = tx.send(child);
            loop {
                std::thread::park();
            }
        });
        let child = rx.recv().expect("postgres spawned");
        let base = format!("postgresql://connsql@127.0.0.1:{port}");
        let started = std::time::Instant::now();
        loop {
            if postgres::Client::connect(&format!("{base}/postgres"), postgres::NoTls).is_ok() {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        PgServer {
            base,
            port,
            dir,
            _child: child,
        }
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        // CREATE DATABASE copies a template no one else may be copying at that moment.
        static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = CREATING.lock().unwrap_or_else(|e| e.into_inner());
        let n = PG_DATABASES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("t{}_{n}", std::process::id());
        let mut client =
            postgres::Client::connect(&format!("{}/postgres", self.base), postgres::NoTls)
                .expect("connect");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        format!("{}/{name}", self.base)
    }
}

fn spawn_postgres(data: &Path, dir: &Path, port: u16) -> Child {
    as_unprivileged(&pg_bin("postgres"), true)
        .arg("-D")
        .arg(data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(dir)
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("server.log")).expect("log"))
        .spawn()
        .expect("postgres")
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Env {
    /// An environment whose catalog is a fresh database on the tests' PostgreSQL server.
    pub fn postgres() -> Env {
        let mut env = Env::new();
        env.catalog = PathBuf::from(PgServer::shared().database());
        env
    }
}

/// A test run against both catalog engines: `name::sqlite` and `name::postgresql`.
#[macro_export]
macro_rules! on_both_engines {
    ($(#[$meta:meta])* fn $name:ident($env:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($env: $crate::util::Env) $body

            #[test]
            fn sqlite() {
                run($crate::util::Env::new())
            }

            #[test]
            fn postgresql() {
                run($crate::util::Env::postgres())
            }
        }
    };
    ($(#[$meta:meta])* fn $name:ident(mut $env:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run(mut $env: $crate::util::Env) $body

            #[test]
            fn sqlite() {
                run($crate::util::Env::new())
            }

            #[test]
            fn postgresql() {
                run($crate::util::Env::postgres())
            }
        }
    };
}

/// How long any one run of the binary may take before the test calls it hung.
const HUNG: std::time::Duration = std::time::Duration::from_secs(300);

/// Waits for `child`, killing it and failing the test if it runs past [`HUNG`]: a hang is a
/// bug to report, not a reason for the suite to never end.
#[track_caller]
pub fn bounded(child: std::process::Child, args: &[&str]) -> std::process::Output {
    let pid = child.id() as libc::pid_t;
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let hung = matches!(
            finished.recv_timeout(HUNG),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        );
        if hung {
            // The child has not been reaped (the waiter still waits), so the pid is still its.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        hung
    });
    let out = child.wait_with_output().expect("wait for connsql");
    let _ = done.send(());
    let hung = watchdog.join().unwrap_or(false);
    assert!(
        !hung,
        "connsql {args:?} ran past {HUNG:?} and was killed\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The connections named by a run's JSON reports (`--format json`), in order.
pub fn reported(json_lines: &str) -> Vec<String> {
    json_lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["connection"].as_str().map(str::to_string))
        .collect()
}

/// Runs SQL on a test's catalog directly, as a damaged or foreign catalog would have it:
/// through rusqlite for a file, through the PostgreSQL client (in the `connsql` schema) for a
/// server; triggers and checks are not the point here.
pub fn catalog_sql(env: &Env, sql: &str) {
    let target = env.catalog.to_string_lossy().into_owned();
    if target.starts_with("postgresql://") || target.starts_with("postgres://") {
        let mut client = postgres::Client::connect(&target, postgres::NoTls).expect("connect");
        client
            .batch_execute(&format!("SET search_path TO connsql; {sql}"))
            .expect("catalog SQL");
    } else {
        let db = rusqlite::Connection::open(&env.catalog).expect("open");
        db.execute_batch(sql).expect("catalog SQL");
    }
}
