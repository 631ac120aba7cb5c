//! SIGINT and SIGTERM as a request to stop, not a kill: the session finishes or rolls back
//! the work in hand, cancels calls in flight, and reports what was applied. A second signal
//! while the first is pending ends the process at once (exit 130/143), for a stuck run.

use std::sync::atomic::{AtomicI32, Ordering};

static PENDING: AtomicI32 = AtomicI32::new(0);

/// Installs the handlers. Without this call (the library used alone), signals keep their
/// default effect and [`pending`] stays `None`.
pub fn install() -> std::io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only touches an atomic and calls async-signal-safe `_exit`.
        unsafe {
            signal_hook_registry::register_unchecked(signal, move |_| {
                if PENDING.swap(signal, Ordering::SeqCst) != 0 {
                    libc::_exit(128 + signal);
                }
            })?;
        }
    }
    Ok(())
}

/// The signal waiting to be acted on, if any.
pub fn pending() -> Option<Signal> {
    Signal::from_raw(PENDING.load(Ordering::SeqCst))
}

/// Takes the pending signal (the REPL does, once it has cancelled the statement).
pub fn take() -> Option<Signal> {
    Signal::from_raw(PENDING.swap(0, Ordering::SeqCst))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    fn from_raw(raw: i32) -> Option<Signal> {
        match raw {
            libc::SIGINT => Some(Signal::Interrupt),
            libc::SIGTERM => Some(Signal::Terminate),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The conventional exit status of a process stopped by the signal: 130 or 143.
    pub fn exit_status(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}
