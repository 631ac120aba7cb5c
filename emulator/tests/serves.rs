//! The emulator binary starts from a world file, says where it listens, and answers on loopback.
//! (It is exercised end to end by connsql's own tests; this also makes `cargo test` build it.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn starts_listens_and_answers() {
    let dir = std::env::temp_dir().join(format!("connsql-emulator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let world = dir.join("world.json");
    std::fs::write(&world, r#"{"users": [], "roles": []}"#).expect("world file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_connsql-sts-emulator"))
        .arg("--config")
        .arg(&world)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("its first line");
    let endpoint = line
        .trim()
        .strip_prefix("listening on http://")
        .map(str::to_owned);
    let answer = endpoint.map(|address| {
        let mut stream = TcpStream::connect(&address).expect("connect");
        write!(
            stream,
            "GET /_emulator/stats HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        answer
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let answer = answer.unwrap_or_else(|| panic!("first line was {line:?}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"requests\""), "{answer}");
}
