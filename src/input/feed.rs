//! The reader of a run's inputs: statements read and parsed ahead of the session, on a thread
//! of their own (or in place, for `-c` strings), and handed over a window at a time.

use std::collections::VecDeque;
use std::io::{self, BufRead};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use super::{Feed, Input, Item, Rest, StatementReader};
use crate::interrupt;

/// How long a window waits for more input before running what it has.
const PAUSE: Duration = Duration::from_millis(20);

/// How often a wait for input looks for a pending signal.
const POLL: Duration = Duration::from_millis(50);

/// Statements read and parsed on a thread of their own, a bounded number ahead, so parsing
/// overlaps execution and memory stays bounded; `-c` strings alone, which are in memory
/// already, are read in place (no thread to start for `connsql -c 'SHOW CONNECTIONS'`). The
/// thread is not joined: if the run stops while it waits on a pipe, the process ends it.
pub struct ReaderFeed {
    source: Source,
    seq: usize,
}

enum Source {
    /// Boxed: a bounded channel's slots are all set up front, and a statement is large.
    Thread(Receiver<Box<Item>>),
    Inline(Inline),
}

/// `-c` strings, read one statement at a time on the caller's thread.
struct Inline {
    inputs: VecDeque<Input>,
    current: Option<StatementReader<Box<dyn BufRead + Send>>>,
}

impl Inline {
    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(piece) = self.current.as_mut().and_then(Iterator::next) {
                return Some(Item::Statement(piece));
            }
            let input = self.inputs.pop_front()?;
            match input.open() {
                Ok(reader) => self.current = Some(StatementReader::new(reader, &input.name())),
                Err(e) => {
                    self.inputs.clear();
                    return Some(Item::Unreadable {
                        input: input.describe(),
                        error: read_error(&e),
                    });
                }
            }
        }
    }
}

impl ReaderFeed {
    pub fn spawn(inputs: Vec<Input>, window: usize) -> ReaderFeed {
        if inputs.iter().all(|i| matches!(i, Input::Command(..))) {
            return ReaderFeed {
                source: Source::Inline(Inline {
                    inputs: inputs.into(),
                    current: None,
                }),
                seq: 0,
            };
        }
        let (tx, rx) = mpsc::sync_channel(window.max(1) * 2);
        std::thread::spawn(move || {
            for input in &inputs {
                let reader = match input.open() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.send(Box::new(Item::Unreadable {
                            input: input.describe(),
                            error: read_error(&e),
                        }));
                        return;
                    }
                };
                for piece in StatementReader::new(reader, &input.name()) {
                    if tx.send(Box::new(Item::Statement(piece))).is_err() {
                        return;
                    }
                }
            }
        });
        ReaderFeed {
            source: Source::Thread(rx),
            seq: 0,
        }
    }

    fn number(&mut self, item: Item) -> Item {
        match item {
            Item::Statement(mut p) => {
                self.seq += 1;
                p.seq = self.seq;
                Item::Statement(p)
            }
            other => other,
        }
    }
}

fn read_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::IsADirectory => "it is a directory".into(),
        io::ErrorKind::NotFound => "no such file".into(),
        _ => e.to_string(),
    }
}

impl Feed for ReaderFeed {
    /// Waits for the first item (giving up when a signal is pending), then takes what arrives
    /// without a pause, so a slow pipe still gets its statements run as they come.
    fn window(&mut self, max: usize) -> Vec<Item> {
        let mut window = Vec::new();
        let rx = match &mut self.source {
            Source::Thread(rx) => rx,
            Source::Inline(inline) => {
                let mut items = Vec::new();
                while items.len() < max.max(1) {
                    match inline.next() {
                        Some(item) => {
                            let unreadable = matches!(item, Item::Unreadable { .. });
                            items.push(item);
                            if unreadable {
                                break;
                            }
                        }
                        None => break,
                    }
                }
                return items.into_iter().map(|i| self.number(i)).collect();
            }
        };
        let first = loop {
            match rx.recv_timeout(POLL) {
                Ok(item) => break *item,
                Err(RecvTimeoutError::Disconnected) => return window,
                Err(RecvTimeoutError::Timeout) if interrupt::pending().is_some() => return window,
                Err(RecvTimeoutError::Timeout) => {}
            }
        };
        let mut items = vec![first];
        let stop = matches!(items[0], Item::Unreadable { .. });
        while !stop && items.len() < max.max(1) {
            let next = match rx.try_recv() {
                Ok(item) => *item,
                Err(TryRecvError::Empty) => match rx.recv_timeout(PAUSE) {
                    Ok(item) => *item,
                    Err(_) => break,
                },
                Err(TryRecvError::Disconnected) => break,
            };
            let unreadable = matches!(next, Item::Unreadable { .. });
            items.push(next);
            if unreadable {
                break;
            }
        }
        for item in items {
            let numbered = self.number(item);
            window.push(numbered);
        }
        window
    }

    fn rest(&mut self) -> Rest {
        let item = match &mut self.source {
            Source::Inline(inline) => match inline.next() {
                Some(item) => item,
                None => return Rest::Nothing,
            },
            Source::Thread(rx) => match rx.recv_timeout(Duration::from_millis(250)) {
                Ok(item) => *item,
                Err(RecvTimeoutError::Disconnected) => return Rest::Nothing,
                Err(RecvTimeoutError::Timeout) => return Rest::Unknown,
            },
        };
        Rest::Next(self.number(item))
    }
}
