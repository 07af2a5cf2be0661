//! A network link emulator on loopback: a TCP relay that delays each direction and limits its
//! rate, as a link to a cluster in another region does. TLS passes through untouched.
//!
//! Each chunk read on one side is sent on the other when the link would deliver it: it
//! waits until the link is free (the chunks before it are sent), takes `len / rate` to
//! transmit, then `delay` to arrive. The relay counts the bytes in each direction and the
//! connections made, so a benchmark can report bytes on the wire.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// One direction's delay and rate.
#[derive(Debug, Clone, Copy)]
pub struct LinkSpec {
    /// One-way delay: a round trip costs twice this.
    pub delay: Duration,
    /// Bytes per second; `None`: no limit.
    pub rate: Option<u64>,
}

impl LinkSpec {
    /// `DELAY[/RATE]` with the round trip's delay split over both directions, e.g.
    /// `40ms/50mbit` (40 ms round trip, 50 Mbit/s each way) or `150ms`.
    pub fn parse(text: &str) -> Result<LinkSpec, String> {
        let (delay, rate) = match text.split_once('/') {
            Some((d, r)) => (d, Some(r)),
            None => (text, None),
        };
        let rtt = parse_duration(delay)?;
        let rate = match rate {
            None => None,
            Some(r) => {
                let r = r.to_ascii_lowercase();
                let mbit = r
                    .strip_suffix("mbit")
                    .ok_or_else(|| format!("rate {r:?}: write it as N mbit, e.g. 50mbit"))?
                    .parse::<f64>()
                    .map_err(|_| format!("rate {r:?} is not a number of mbit"))?;
                Some((mbit * 1_000_000.0 / 8.0) as u64)
            }
        };
        Ok(LinkSpec {
            delay: rtt / 2,
            rate,
        })
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (n, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| text.split_at(i))
        .unwrap_or((text, "ms"));
    let n: u64 = n
        .parse()
        .map_err(|_| format!("delay {text:?}: write it as e.g. 40ms"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        _ => Err(format!("delay {text:?}: use ms or s")),
    }
}

/// What crossed the link.
#[derive(Debug, Default)]
pub struct Counters {
    /// Client to server.
    pub up: AtomicU64,
    /// Server to client.
    pub down: AtomicU64,
    pub connections: AtomicU64,
}

impl Counters {
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.up.load(Ordering::Relaxed),
            self.down.load(Ordering::Relaxed),
            self.connections.load(Ordering::Relaxed),
        )
    }
}

/// Relay connections from `listener` to `upstream` through the emulated link, until the
/// task is dropped.
pub async fn relay(
    listener: TcpListener,
    upstream: SocketAddr,
    spec: LinkSpec,
    counters: Arc<Counters>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        counters.connections.fetch_add(1, Ordering::Relaxed);
        let counters = counters.clone();
        tokio::spawn(async move {
            // The TCP handshake crosses the link too: one round trip before anything else.
            tokio::time::sleep(spec.delay * 2).await;
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            client.set_nodelay(true).ok();
            server.set_nodelay(true).ok();
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            let up = tokio::spawn(pipe(cr, sw, spec, counters.clone(), true));
            let down = tokio::spawn(pipe(sr, cw, spec, counters, false));
            let _ = tokio::join!(up, down);
        });
    }
}

/// Carry one direction: chunks are delivered in order, each when the link would.
async fn pipe<R, W>(mut from: R, mut to: W, spec: LinkSpec, counters: Arc<Counters>, up: bool)
where
    R: AsyncReadExt + Unpin + Send + 'static,
    W: AsyncWriteExt + Unpin + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Option<Vec<u8>>)>();
    let reader = tokio::spawn(async move {
        let mut free = Instant::now();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = from.read(&mut buf).await.unwrap_or(0);
            let now = Instant::now();
            if n == 0 {
                tx.send((now.max(free) + spec.delay, None)).ok();
                return;
            }
            let counter = if up { &counters.up } else { &counters.down };
            counter.fetch_add(n as u64, Ordering::Relaxed);
            let transmit = spec
                .rate
                .map(|r| Duration::from_secs_f64(n as f64 / r as f64))
                .unwrap_or_default();
            free = now.max(free) + transmit;
            if tx
                .send((free + spec.delay, Some(buf[..n].to_vec())))
                .is_err()
            {
                return;
            }
        }
    });
    while let Some((at, chunk)) = rx.recv().await {
        tokio::time::sleep_until(at).await;
        match chunk {
            Some(bytes) => {
                if to.write_all(&bytes).await.is_err() {
                    break;
                }
            }
            None => {
                to.shutdown().await.ok();
                break;
            }
        }
    }
    reader.abort();
}

/// A link running on its own thread, in front of `upstream`; stops when dropped.
pub struct Link {
    pub addr: SocketAddr,
    pub counters: Arc<Counters>,
    _background: crate::Background,
}

impl Link {
    pub fn spawn(upstream: SocketAddr, spec: LinkSpec) -> Link {
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let background =
            crate::Background::spawn(move |listener| relay(listener, upstream, spec, c));
        Link {
            addr: background.addr,
            counters,
            _background: background,
        }
    }
}

/// How many requests went out one after another: requests that arrive within `gap` of the
/// previous one went out together (they did not wait for each other's answers); a larger
/// gap means a request waited for an answer, a round trip.
pub fn waves(arrivals: &[std::time::Instant], gap: Duration) -> usize {
    let mut sorted: Vec<_> = arrivals.to_vec();
    sorted.sort();
    let mut waves = 0;
    let mut last: Option<std::time::Instant> = None;
    for t in sorted {
        if last.is_none_or(|l| t.duration_since(l) > gap) {
            waves += 1;
        }
        last = Some(t);
    }
    waves
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_as_round_trip_and_rate() {
        let s = LinkSpec::parse("40ms/50mbit").unwrap();
        assert_eq!(s.delay, Duration::from_millis(20));
        assert_eq!(s.rate, Some(6_250_000));
        assert_eq!(LinkSpec::parse("150ms").unwrap().rate, None);
        assert!(LinkSpec::parse("40ms/50kbps").is_err());
    }

    #[test]
    fn waves_split_where_a_request_waited() {
        let t0 = std::time::Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let gap = Duration::from_millis(100);
        assert_eq!(waves(&[at(0), at(3), at(5)], gap), 1);
        assert_eq!(waves(&[at(0), at(210), at(420), at(421)], gap), 3);
        assert_eq!(waves(&[], gap), 0);
    }
}
