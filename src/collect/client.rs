//! One HTTP client per API (ARM, Graph): a bearer token sent only to its own origin,
//! retries of 429, 408, every 5xx and a body that is not JSON after `Retry-After`
//! (when given) with backoff and a cap, and paging that follows `nextLink` /
//! `@odata.nextLink` only to the same origin. Another 4xx is never retried, and
//! a redirect (3xx) is neither followed nor retried: it is a failed read.

use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use super::CollectError;

/// The most bytes one response body may have.
const MAX_BODY: u64 = 512 * 1024 * 1024;

/// How a page read ended.
#[derive(Debug)]
pub enum PageError {
    /// 401 / 403.
    Forbidden(u16, String),
    /// 429 / 503 still after the retry cap.
    Throttled(u16, String),
    /// Another HTTP status (408 and the other 5xx still after the retry cap; any
    /// other 4xx at once), a timeout, a body never valid JSON.
    Failed(Option<u16>, String),
    /// The network itself failed (no connection could be made).
    Transport(String),
}

/// What every page read shares: counters and the retry policy.
pub struct Policy {
    pub max_tries: u32,
    pub max_wait: Duration,
}

impl Policy {
    pub fn from_env() -> Policy {
        let max_wait = std::env::var("WHOCAN_COLLECT_MAX_WAIT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_secs(60));
        Policy {
            max_tries: 5,
            max_wait,
        }
    }

    fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = Duration::from_millis(500u64.saturating_mul(1 << attempt.min(10)));
        retry_after.unwrap_or(backoff).min(self.max_wait)
    }
}

/// Where a token comes from.
enum TokenSource {
    Fixed(String),
    Az { args: Vec<String> },
}

pub struct Client {
    pub base: Url,
    agent: ureq::Agent,
    source: TokenSource,
    cached: Mutex<Option<(String, Instant)>>,
}

/// An origin check: the same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme().eq_ignore_ascii_case(b.scheme())
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// `scheme://host:port`, the port always written (the scheme's default too), so
/// that two origins that differ only by port read differently.
pub fn origin(u: &Url) -> String {
    let host = u.host().map(|h| h.to_string()).unwrap_or_default();
    match u.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", u.scheme()),
        None => format!("{}://{host}", u.scheme()),
    }
}

/// Parses a base URL: https anywhere, plain http only to a loopback address.
pub fn parse_base(flag: &str, raw: &str) -> Result<Url, CollectError> {
    let url = Url::parse(raw).map_err(|e| {
        CollectError::Usage(format!(
            "{flag} {raw:?} is not a URL ({e})\nhint: give a base URL such as https://management.azure.com"
        ))
    })?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(CollectError::Usage(format!(
            "{flag} {raw}: plain http is accepted only for loopback addresses (a token would travel unencrypted)\nhint: use https://, or http://127.0.0.1:PORT for a local test server"
        ))),
        _ => Err(CollectError::Usage(format!(
            "{flag} {raw}: expected an https:// URL\nhint: e.g. https://management.azure.com"
        ))),
    }
}

impl Client {
    /// `env_var` holds a token when set; else `az account get-access-token` with `az_args`.
    pub fn new(base: Url, env_var: &str, az_args: Vec<String>) -> Client {
        let source = match std::env::var(env_var) {
            Ok(t) if !t.trim().is_empty() => TokenSource::Fixed(t.trim().to_string()),
            _ => TokenSource::Az { args: az_args },
        };
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(20))
            .timeout(Duration::from_secs(120))
            .redirects(0)
            .build();
        Client {
            base,
            agent,
            source,
            cached: Mutex::new(None),
        }
    }

    /// The token, fetched (or refreshed when expired) from the Azure CLI if needed.
    pub fn token(&self) -> Result<String, CollectError> {
        match &self.source {
            TokenSource::Fixed(t) => Ok(t.clone()),
            TokenSource::Az { args } => {
                let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((t, until)) = cached.as_ref() {
                    if Instant::now() < *until {
                        return Ok(t.clone());
                    }
                }
                let (t, until) = az_token(args)?;
                *cached = Some((t.clone(), until));
                Ok(t)
            }
        }
    }

    /// A new token after the service refused `stale` with a 401 (it expired early,
    /// or was revoked): None when there is no other to be had (a fixed token from
    /// the environment, or the Azure CLI hands out the same one again).
    fn refreshed(&self, stale: &str) -> Option<String> {
        let TokenSource::Az { args } = &self.source else {
            return None;
        };
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((t, _)) = cached.as_ref() {
            if t != stale {
                // Another thread refreshed it meanwhile.
                return Some(t.clone());
            }
        }
        let (t, until) = az_token(args).ok()?;
        if t == stale {
            return None;
        }
        *cached = Some((t.clone(), until));
        Some(t)
    }

    /// Is `url` on this client's origin?
    pub fn owns(&self, url: &Url) -> bool {
        same_origin(&self.base, url)
    }

    /// Reads one page, retrying throttling (429, 503), a request timeout (408),
    /// server errors (5xx) and bad bodies. Returns the JSON and the
    /// number of retries.
    pub fn page(
        &self,
        method: &str,
        url: &Url,
        policy: &Policy,
        requests: &std::sync::atomic::AtomicU64,
    ) -> Result<(Value, u32), (PageError, u32)> {
        let mut retries = 0u32;
        let mut refreshed = false;
        loop {
            let token = self
                .token()
                .map_err(|e| (PageError::Transport(e.to_string()), retries))?;
            requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut req = self
                .agent
                .request(method, url.as_str())
                .set("Authorization", &format!("Bearer {token}"))
                .set("Accept", "application/json");
            let result = if method == "POST" {
                req = req.set("Content-Type", "application/json");
                req.send_string("{}")
            } else {
                req.call()
            };
            let (retry, err, after) = match result {
                // The agent follows no redirect: a 3xx is no page, and following
                // it would send the token wherever it points. Not retried either.
                Ok(resp) if (300..400).contains(&resp.status()) => {
                    let code = resp.status();
                    return Err((PageError::Failed(Some(code), redirect_text(&resp)), retries));
                }
                Ok(resp) => match read_body(resp) {
                    Ok(body) => match serde_json::from_slice::<Value>(&body) {
                        Ok(v) => return Ok((v, retries)),
                        Err(e) => (
                            true,
                            PageError::Failed(
                                Some(200),
                                format!("the body is not valid JSON ({e})"),
                            ),
                            None,
                        ),
                    },
                    Err(e) => (true, PageError::Failed(Some(200), e), None),
                },
                Err(ureq::Error::Status(401, resp)) if !refreshed => {
                    // The token expired before its stated time (or was revoked):
                    // ask once for a new one and read the page again with it.
                    let text = error_text(resp, &token);
                    refreshed = true;
                    if self.refreshed(&token).is_some() {
                        retries += 1;
                        continue;
                    }
                    return Err((PageError::Forbidden(401, text), retries));
                }
                Err(ureq::Error::Status(code, resp)) => {
                    let after = resp.header("Retry-After").and_then(parse_retry_after);
                    let text = error_text(resp, &token);
                    match code {
                        401 | 403 => (false, PageError::Forbidden(code, text), None),
                        429 | 503 => (true, PageError::Throttled(code, text), after),
                        // A request timeout and a server error are transient:
                        // read again, after `Retry-After` when the service says.
                        408 | 500..=599 => (true, PageError::Failed(Some(code), text), after),
                        _ => (false, PageError::Failed(Some(code), text), None),
                    }
                }
                Err(ureq::Error::Transport(t)) => {
                    let msg = scrub(&t.to_string(), &token);
                    let connect = matches!(
                        t.kind(),
                        ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::Dns
                    );
                    if connect {
                        (true, PageError::Transport(msg), None)
                    } else {
                        (true, PageError::Failed(None, msg), None)
                    }
                }
            };
            if !retry || retries + 1 >= policy.max_tries {
                return Err((err, retries));
            }
            std::thread::sleep(policy.wait(retries, after));
            retries += 1;
        }
    }
}

/// What a 3xx answered: its status and where it pointed (the origin and path of
/// `Location`, never its query, which may carry a signature).
fn redirect_text(resp: &ureq::Response) -> String {
    let code = resp.status();
    let to = match resp.header("Location").map(|l| {
        resp.get_url()
            .parse::<Url>()
            .ok()
            .and_then(|base| base.join(l).ok())
    }) {
        Some(Some(u)) => format!(" to {}{}", origin(&u), u.path()),
        Some(None) => " to an unreadable Location".to_string(),
        None => String::new(),
    };
    format!("HTTP {code}: a redirect{to}, not followed (whocan reads only the URLs it asks)")
}

fn read_body(resp: ureq::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|e| format!("reading the body failed: {e}"))?;
    Ok(body)
}

/// `code: message` from an ARM or Graph error body, else the start of the body.
fn error_text(resp: ureq::Response, token: &str) -> String {
    let status = resp.status();
    let body = read_body(resp).unwrap_or_default();
    let text = match serde_json::from_slice::<Value>(&body) {
        Ok(v) => {
            let e = v.get("error").unwrap_or(&v);
            let code = e.get("code").and_then(Value::as_str).unwrap_or("");
            let msg = e.get("message").and_then(Value::as_str).unwrap_or("");
            if code.is_empty() && msg.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("{code}: {msg}")
            }
        }
        Err(_) => {
            let s = String::from_utf8_lossy(&body);
            let s: String = s.chars().take(200).collect();
            format!("HTTP {status}: {s}")
        }
    };
    scrub(&text, token)
}

/// Never lets a token through in a message.
pub fn scrub(text: &str, token: &str) -> String {
    if token.len() >= 4 && text.contains(token) {
        text.replace(token, "[token]")
    } else {
        text.to_string()
    }
}

/// `Retry-After`: seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

/// A token from `az account get-access-token`, and until when to use it.
fn az_token(args: &[String]) -> Result<(String, Instant), CollectError> {
    let out = std::process::Command::new("az")
        .args(["account", "get-access-token", "--output", "json"])
        .args(args)
        .output()
        .map_err(|e| {
            CollectError::Environment(format!(
                "no token: WHOCAN_ARM_TOKEN / WHOCAN_GRAPH_TOKEN are not set and the Azure CLI could not be run ({e})\nhint: run `az login`, or set WHOCAN_ARM_TOKEN and WHOCAN_GRAPH_TOKEN"
            ))
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>();
        return Err(CollectError::Environment(format!(
            "no token: `az account get-access-token {}` failed: {first}\nhint: run `az login`, or set WHOCAN_ARM_TOKEN and WHOCAN_GRAPH_TOKEN",
            args.join(" ")
        )));
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|_| {
        CollectError::Environment("no token: the Azure CLI printed no JSON token".into())
    })?;
    let token = v
        .get("accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            CollectError::Environment("no token: the Azure CLI's answer has no accessToken".into())
        })?
        .to_string();
    // `expires_on` (epoch seconds, newer CLIs), else `expiresOn` (local time), else 30 min.
    let now = chrono::Utc::now().timestamp();
    let expires = v
        .get("expires_on")
        .and_then(|e| {
            e.as_i64()
                .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
        })
        .or_else(|| {
            let s = v.get("expiresOn")?.as_str()?;
            let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok()?;
            Some(t.and_local_timezone(chrono::Local).single()?.timestamp())
        })
        .unwrap_or(now + 1800);
    Ok((token, Instant::now() + use_for(expires - now)))
}

/// How long a token that is valid `life` more seconds is used: until five minutes
/// before it expires, or for half its life when it has less than ten minutes left
/// (never past its expiry, so a request never carries an expired token).
fn use_for(life: i64) -> Duration {
    let early = if life > 600 { 300 } else { life / 2 };
    Duration::from_secs((life - early).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_until_shortly_before_it_expires() {
        assert_eq!(use_for(3600), Duration::from_secs(3300));
        assert_eq!(use_for(601), Duration::from_secs(301));
        assert_eq!(use_for(600), Duration::from_secs(300));
        assert_eq!(use_for(2), Duration::from_secs(1));
        assert_eq!(use_for(0), Duration::ZERO);
        assert_eq!(use_for(-50), Duration::ZERO);
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn an_origin_is_written_with_its_port() {
        let o = |s: &str| origin(&Url::parse(s).unwrap());
        assert_eq!(
            o("https://management.azure.com/x?y"),
            "https://management.azure.com:443"
        );
        assert_eq!(
            o("https://evil.example:8443/p"),
            "https://evil.example:8443"
        );
        assert_eq!(o("http://[::1]:8080/"), "http://[::1]:8080");
    }

    #[test]
    fn a_token_is_scrubbed_from_messages() {
        assert_eq!(scrub("bad token abcdef!", "abcdef"), "bad token [token]!");
        assert_eq!(scrub("short", "ab"), "short");
    }
}
