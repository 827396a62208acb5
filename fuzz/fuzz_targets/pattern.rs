//! The action-pattern matcher: a pattern and an action split at the first NUL;
//! never a panic, and (with `-timeout=`) never slow on any pattern.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pattern, action) = text.split_once('\0').unwrap_or((&text, "microsoft.machinelearningservices/workspaces/read"));
    let p = whocan::engine::pattern::ActionPattern::new(pattern);
    let _ = p.matches(action);
    let _ = p.matches_lower(&action.to_ascii_lowercase());
});
