//! Crash safety: a large batch killed (SIGKILL) at many moments leaves a sound catalog holding a
//! prefix of its input, each statement whole, and everything reported done in it; SIGINT and
//! SIGTERM stop it with exactly what was reported committed, a summary, and 130/143.

use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::util::{Env, reported};

const STATEMENTS: usize = 30_000;

fn script() -> String {
    (0..STATEMENTS)
        .map(|i| format!("CREATE S3 CONNECTION c{i:05} COMMENT = 'crash test row {i}';\n"))
        .collect()
}

/// A small generator seeded from the clock: each run of the suite kills at other moments.
struct Moments(u64);

impl Moments {
    fn new() -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Moments(seed | 1)
    }

    /// A delay between `lo` and `hi` milliseconds.
    fn next(&mut self, lo: u64, hi: u64) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(lo + self.0 % (hi - lo))
    }
}

/// What the catalog holds after a run, checked whole: integrity, a prefix of the input, and a
/// history entry for every connection.
fn stored(env: &Env) -> usize {
    // Killed before the catalog had its schema: the file is not there at all, or empty (which
    // connsql sets up on its next run).
    let Ok(meta) = std::fs::metadata(&env.catalog) else {
        return 0;
    };
    if meta.len() == 0 {
        env.run(&["-c", "SHOW CONNECTIONS"]).ok();
        return 0;
    }
    let db = rusqlite::Connection::open(&env.catalog).expect("open");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
    let tables: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'connections'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    if tables == 0 {
        drop(db);
        env.run(&["-c", "SHOW CONNECTIONS"]).ok();
        return 0;
    }
    let names = env.stored_names();
    let expected: Vec<String> = (0..names.len()).map(|i| format!("c{i:05}")).collect();
    assert_eq!(names, expected, "a prefix of the input");
    let history: i64 = db
        .query_row("SELECT count(*) FROM history", [], |r| r.get(0))
        .expect("history");
    assert_eq!(history as usize, names.len(), "each statement whole");
    names.len()
}

/// The connections reported created (a last line cut by the kill is not a report).
#[test]
fn sigkill_at_any_moment_leaves_a_prefix_and_loses_nothing_reported() {
    let mut moments = Moments::new();
    let mut seen = Vec::new();
    for trial in 0..8 {
        let env = Env::new();
        let file = env.write("big.sql", &script());
        let out = env.path().join("reports.json");
        let mut child = env.spawn_batch_reporting(&file, &out, Stdio::null());
        let delay = moments.next(30, 2000);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let n = stored(&env);
        let reported = reported(&std::fs::read_to_string(&out).unwrap_or_default());
        assert!(
            reported.len() <= n,
            "trial {trial} ({delay:?}): {} reported, {n} stored",
            reported.len()
        );
        for (i, name) in reported.iter().enumerate() {
            assert_eq!(
                name,
                &format!("c{i:05}"),
                "trial {trial}: reports in input order"
            );
        }
        seen.push((delay, reported.len(), n));
    }
    // The kills landed at different points of the run, not all before or after it.
    assert!(
        seen.iter().any(|&(_, _, n)| n > 0 && n < STATEMENTS),
        "no kill landed mid-run: {seen:?}"
    );
}

#[test]
fn sigint_and_sigterm_commit_exactly_what_they_report() {
    let mut moments = Moments::new();
    for (signal, status, name) in [
        (libc::SIGINT, 130, "SIGINT"),
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGINT, 130, "SIGINT"),
        (libc::SIGTERM, 143, "SIGTERM"),
    ] {
        let env = Env::new();
        let file = env.write("big.sql", &script());
        let mut child = env
            .command()
            .args([
                "--no-validate",
                "--format",
                "json",
                "-f",
                file.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let reader =
            std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
        let delay = moments.next(100, 1500);
        std::thread::sleep(delay);
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let finished = crate::util::bounded(child, &[]);
        let reports = reported(&reader.join().expect("reader"));
        let err = String::from_utf8_lossy(&finished.stderr);
        let n = stored(&env);
        assert_eq!(
            reports.len(),
            n,
            "{name} after {delay:?}: reported = committed\n{err}"
        );
        if n == STATEMENTS {
            // The run finished before the signal came.
            assert_eq!(finished.status.code(), Some(0), "{err}");
            continue;
        }
        assert_eq!(finished.status.code(), Some(status), "{name}: {err}");
        assert!(
            err.contains(&format!("interrupted by {name}: {n} statements applied"))
                || err.contains(&format!("interrupted by {name}: {n} statement applied")),
            "{err}"
        );
        assert!(err.contains(&format!("statement {} (", n + 1)), "{err}");
        assert!(err.contains("to resume, run"), "{err}");
    }
}
